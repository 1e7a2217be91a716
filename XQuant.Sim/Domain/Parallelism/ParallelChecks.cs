using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Domain.Parallelism;

/// <summary>What makes a tensor/pipeline-parallel plan impossible for a model, scheme and device. Pure.</summary>
public static class ParallelChecks
{
    public static IReadOnlyList<PlanProblem> Problems(int tp, int pp, ModelConfig model, CacheScheme scheme, HardwareProfile hw) =>
        Problems(tp, pp, model, scheme, hw, 1);

    /// <param name="ep">Expert parallelism: 1, or equal to <paramref name="tp"/> on a MoE model whose experts it divides.</param>
    public static IReadOnlyList<PlanProblem> Problems(int tp, int pp, ModelConfig model, CacheScheme scheme, HardwareProfile hw, int ep)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(scheme);
        ArgumentNullException.ThrowIfNull(hw);
        var problems = new List<PlanProblem>();
        if (tp * pp > 1 && Link.From(hw.Interconnect) is null)
        {
            problems.Add(new(tp > 1 ? "--tp" : "--pp", $"{hw.Id} has no interconnect block with a bandwidth, so it cannot be costed on {tp * pp} devices (TP {tp} x PP {pp})"));
        }
        if (hw.NodeDevices is int devices && tp * pp > devices)
        {
            problems.Add(new(tp > 1 ? "--tp" : "--pp", $"TP {tp} x PP {pp} = {tp * pp} devices, more than the {devices} of node {hw.Id}"));
        }
        if (tp > 1 && model.Heads % tp != 0)
        {
            problems.Add(new("--tp", $"{tp} does not divide the {model.Heads} attention heads of {model.Id}"));
        }
        else if (tp > 1 && model.KvHeads % tp != 0 && scheme.TensorParallel != TpLayout.Tokens)
        {
            problems.Add(new("--tp", $"{tp} does not divide the {model.KvHeads} KV heads of {model.Id}, which {scheme.Spec} shards by head (only xquant tp=tokens keeps every head on every rank)"));
        }
        else if (tp > 1)
        {
            foreach (string p in scheme.Validate(Sharding.LayoutModel(model, scheme, tp)))
            {
                problems.Add(new("--tp", $"{scheme.Spec} on one of {tp} ranks: {p}"));
            }
        }
        if (ep != 1)
        {
            if (model.Moe is not { } moe)
            {
                problems.Add(new("--ep", $"{model.Id} has no routed experts to split (expert parallelism needs a MoE model)"));
            }
            else if (ep != tp)
            {
                problems.Add(new("--ep", $"{ep} must equal --tp ({tp}): the experts are split over the tensor-parallel ranks (data-parallel attention is not modelled)"));
            }
            else if (moe.Experts % ep != 0)
            {
                problems.Add(new("--ep", $"{ep} does not divide the {moe.Experts} experts of {model.Id}"));
            }
        }
        if (pp > model.Layers)
        {
            problems.Add(new("--pp", $"{pp} stages are more than the {model.Layers} layers of {model.Id}"));
        }
        return problems;
    }
}
