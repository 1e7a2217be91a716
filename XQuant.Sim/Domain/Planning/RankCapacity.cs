using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Parallelism;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Domain.Planning;

/// <summary>
/// Capacity of the fullest device of a tensor/pipeline-parallel plan: its weights
/// (<see cref="Sharding.RankWeightParams"/>), the cache of its ceil(L / PP) layers in the scheme's TP layout, and its
/// rank's activations. Every sequence of the batch is cached on every stage and every TP rank holds its share.
/// </summary>
public static class RankCapacity
{
    /// <summary>Which model <see cref="StageModel"/> returns: the layout's (latents whole under svd=global) or the rank's.</summary>
    public const bool RankOnly = true;

    /// <summary>The stage's model as one device sees it: ceil(L / PP) layers of the rank (or layout) model.</summary>
    public static ModelConfig StageModel(Workload w, bool rankOnly = false)
    {
        ArgumentNullException.ThrowIfNull(w);
        int tp = w.Plan.TensorParallel;
        var m = rankOnly ? Sharding.RankModel(w.Model, tp) : Sharding.LayoutModel(w.Model, w.Scheme, tp);
        return m with { Layers = Sharding.StageLayers(w.Model, w.Plan.PipelineParallel) };
    }

    /// <summary>The cache layout of the fullest device.</summary>
    public static CacheLayout Layout(Workload w) => LayoutCache.Get(w.Scheme, StageModel(w));

    public static CapacityResult Plan(Workload w)
    {
        ArgumentNullException.ThrowIfNull(w);
        var plan = w.Plan;
        double weights = Sharding.RankWeightParams(w.Model, w.Scheme, plan.TensorParallel, plan.PipelineParallel) * w.Weights.BytesPerWeight();
        var rank = w with { Model = Sharding.RankModel(w.Model, plan.TensorParallel), Parallel = null };
        return Capacity.Plan(rank, Layout(w), weights, Sharding.CachedTokenShare(w.Scheme, plan.TensorParallel));
    }
}
