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
        return Capacity.Plan(RankWorkload(w), Layout(w), WeightBytes(w), Sharding.CachedTokenShare(w.Scheme, w.Plan.TensorParallel));
    }

    /// <summary>Weight bytes of the fullest device.</summary>
    public static double WeightBytes(Workload w)
    {
        ArgumentNullException.ThrowIfNull(w);
        return Sharding.RankWeightParams(w.Model, w.Scheme, w.Plan.TensorParallel, w.Plan.PipelineParallel, w.Plan.ExpertParallel) * w.Weights.BytesPerWeight();
    }

    /// <summary>The workload one rank sizes its activations by: the rank model on one device.</summary>
    public static Workload RankWorkload(Workload w)
    {
        ArgumentNullException.ThrowIfNull(w);
        return w with { Model = Sharding.RankModel(w.Model, w.Plan.TensorParallel), Parallel = null };
    }
}
