using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Domain.Schemes;
using XQuant.Sim.Foundation.Concurrency;

namespace XQuant.Sim.Studies.Comparison;

/// <summary>What `xqsim compare` was asked: one model on several devices, schemes, contexts and batches.</summary>
public sealed record CompareRequest(
    ModelConfig Model,
    IReadOnlyList<HardwareProfile> Hardware,
    IReadOnlyList<CacheScheme> Schemes,
    IReadOnlyList<double> Contexts,
    IReadOnlyList<double> Batches,
    WeightPrecision Weights,
    double RuntimeReserveFraction = Workload.DefaultRuntimeReserveFraction,
    int TensorParallel = 1,
    int PipelineParallel = 1)
{
    /// <summary>Speculative decoding / MTP applied to every case; null = plain decode.</summary>
    public SpecDecoding? Speculation { get; init; }

    /// <summary>MoE routing applied to every case; null = uniform.</summary>
    public MoeRouting? Routing { get; init; }
}

/// <summary>Break-even of one rematerializing scheme on one device at one batch (overlapped step form).</summary>
public sealed record SchemeBreakEven(string Hardware, string Scheme, string? Versus, double Batch, double HideContextTokens, IReadOnlyList<Crossover> Crossovers);

/// <summary>
/// The finished comparison: table cases, the sweeps behind the charts (contexts at the focus batch, batches at the focus
/// context: the smallest batch and the largest context asked for), and the break-even answers.
/// </summary>
public sealed record CompareResult(
    CompareRequest Request,
    IReadOnlyList<CaseResult> Cases,
    IReadOnlyList<CaseResult> ChartCases,
    IReadOnlyList<SchemeBreakEven> BreakEvens,
    double FocusBatch,
    double FocusContextTokens);

/// <summary>Costs the hardware comparison once (every cost from <see cref="CaseCoster"/> and <see cref="BreakEven"/>); reports only render it.</summary>
public static class CompareStudy
{
    /// <summary>Context sweep of the charts: powers of two from 1k to 4x the largest context asked for (and those asked).</summary>
    /// <remarks>Cases are costed on up to <paramref name="threads"/> threads; the result is the same on any count.</remarks>
    public static CompareResult Run(CompareRequest r, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(r);
        var tableWork = new List<Workload>();
        foreach (var hw in r.Hardware)
        {
            foreach (double b in r.Batches)
            {
                foreach (double l in r.Contexts)
                {
                    foreach (var s in r.Schemes)
                    {
                        tableWork.Add(Work(r, hw, s, b, l));
                    }
                }
            }
        }
        var cases = OrderedParallel.Map(tableWork, w => CaseCoster.Cost(w), threads);
        var focus = (Batch: r.Batches.Min(), Context: r.Contexts.Max());
        double maxContext = Math.Min(r.Contexts.Max() * 4, 1 << 22);
        var sweepContexts = new SortedSet<double>(r.Contexts);
        for (double l = 1024; l <= maxContext; l *= 2)
        {
            sweepContexts.Add(l);
        }
        var chartWork = new List<Workload>();
        foreach (var hw in r.Hardware)
        {
            foreach (var s in r.Schemes)
            {
                foreach (double l in sweepContexts)
                {
                    if (!r.Contexts.Contains(l))
                    {
                        chartWork.Add(Work(r, hw, s, focus.Batch, l));
                    }
                }
                var atFocus = cases.First(c => c.Workload.Hardware.Id == hw.Id && c.Workload.Scheme.Spec == s.Spec && c.Workload.Batch == focus.Batch && c.Workload.ContextTokens == focus.Context);
                for (double b = 1; b <= atFocus.Capacity.MaxBatchAtContext; b *= 2)
                {
                    if (!r.Batches.Contains(b))
                    {
                        chartWork.Add(Work(r, hw, s, b, focus.Context));
                    }
                }
            }
        }
        var chartCases = new List<CaseResult>(cases);
        chartCases.AddRange(OrderedParallel.Map(chartWork, w => CaseCoster.Cost(w, throughputAtMaxBatch: false), threads));
        var breakEvenWork = new List<(HardwareProfile Hw, CacheScheme Scheme, CacheScheme? Versus, double Batch)>();
        foreach (var hw in r.Hardware)
        {
            foreach (var s in r.Schemes.Where(s => s.Remat != RematMode.None))
            {
                string wanted = BreakEven.DefaultVersus(s, r.Model);
                var versus = r.Schemes.FirstOrDefault(v => v.Spec == wanted) ?? r.Schemes.FirstOrDefault(v => v.Spec == (r.Model.Mla is null ? "fp16" : "mla"));
                foreach (double b in r.Batches)
                {
                    breakEvenWork.Add((hw, s, versus, b));
                }
            }
        }
        var breakEvens = OrderedParallel.Map(breakEvenWork, x =>
        {
            var w = Work(r, x.Hw, x.Scheme, x.Batch, focus.Context);
            return new SchemeBreakEven(
                x.Hw.Id, x.Scheme.Spec, x.Versus?.Spec, x.Batch, BreakEven.HideContext(w),
                x.Versus is null ? [] : BreakEven.Crossovers(w, w with { Scheme = x.Versus }));
        }, threads);
        return new CompareResult(r, cases, chartCases, breakEvens, focus.Batch, focus.Context);
    }

    private static Workload Work(CompareRequest r, HardwareProfile hw, CacheScheme s, double b, double l) =>
        new(r.Model, hw, s, r.Weights, b, l, Phase.Decode, RuntimeReserveFraction: r.RuntimeReserveFraction,
            Parallel: r.TensorParallel * r.PipelineParallel == 1 ? null : new Domain.Parallelism.ParallelPlan(r.TensorParallel, r.PipelineParallel, Domain.Parallelism.Link.From(hw.Interconnect)))
        {
            Speculation = r.Speculation,
            Routing = r.Routing,
        };
}
