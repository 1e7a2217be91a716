using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Studies.Scenarios;

/// <summary>What a scenario can ask to be written.</summary>
public enum OutputKind
{
    Csv,
    Markdown,
    Charts,
}

/// <summary>A study: models x hardware x schemes x weights x phases x batches x contexts, and the outputs wanted.</summary>
public sealed record Scenario
{
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public required string SourcePath { get; init; }
    public required IReadOnlyList<ModelConfig> Models { get; init; }
    public required IReadOnlyList<HardwareProfile> Hardware { get; init; }
    public required IReadOnlyList<CacheScheme> Schemes { get; init; }
    public required IReadOnlyList<WeightPrecision> Weights { get; init; }
    public required IReadOnlyList<Phase> Phases { get; init; }
    public required IReadOnlyList<double> Batches { get; init; }
    public required IReadOnlyList<double> Contexts { get; init; }
    public double RuntimeReserveFraction { get; init; } = Workload.DefaultRuntimeReserveFraction;

    /// <summary>Tensor-parallel ranks and pipeline stages of every case (1 and 1: one device).</summary>
    public int TensorParallel { get; init; } = 1;

    public int PipelineParallel { get; init; } = 1;
    public required IReadOnlySet<OutputKind> Outputs { get; init; }

    /// <summary>A serving simulation per model x hardware x weights over the schemes, when the file has a "serving" block.</summary>
    public Studies.Serving.ServingSection? Serving { get; init; }

    /// <summary>Speculative decoding per model id (the scenario's "spec" field, parsed for each model); empty = plain decode.</summary>
    public IReadOnlyDictionary<string, SpecDecoding> Speculation { get; init; } = new Dictionary<string, SpecDecoding>();

    /// <summary>MoE routing of every case (the "moe_routing" field); null = uniform.</summary>
    public MoeRouting? Routing { get; init; }

    public long CaseCount => (long)Models.Count * Hardware.Count * Schemes.Count * Weights.Count * Phases.Count * Batches.Count * Contexts.Count;

    /// <summary>The device plan of every case on <paramref name="hw"/>: null on one device.</summary>
    public Domain.Parallelism.ParallelPlan? Plan(HardwareProfile hw) =>
        TensorParallel * PipelineParallel == 1 ? null : new(TensorParallel, PipelineParallel, Domain.Parallelism.Link.From(hw.Interconnect));

    /// <summary>Every case in a fixed order: model, hardware, weights, phase, batch, context, scheme.</summary>
    public IEnumerable<Workload> Expand()
    {
        foreach (var m in Models)
        {
            foreach (var hw in Hardware)
            {
                foreach (var w in Weights)
                {
                    foreach (var phase in Phases)
                    {
                        foreach (double b in Batches)
                        {
                            foreach (double l in Contexts)
                            {
                                foreach (var s in Schemes)
                                {
                                    yield return new Workload(m, hw, s, w, b, l, phase, RuntimeReserveFraction: RuntimeReserveFraction, Parallel: Plan(hw))
                                    {
                                        Speculation = Speculation.GetValueOrDefault(m.Id),
                                        Routing = m.Moe is null ? null : Routing,
                                    };
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
