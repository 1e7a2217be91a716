using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Memory;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Domain.Planning;

/// <summary>Costs one workload completely. Pure: the same workload always gives the same result.</summary>
public static class CaseCoster
{
    public static CaseResult Cost(Workload w, bool throughputAtMaxBatch = true)
    {
        var layout = w.Plan.IsSingle ? LayoutCache.Get(w.Scheme, w.Model) : RankCapacity.Layout(w);
        double cachedTokens = Parallelism.Sharding.RankContextTokens(w.Scheme, w.Plan.TensorParallel, w.ContextTokens);
        var step = Roofline.Step(w);
        var capacity = Capacity.Plan(w, layout);
        double? atMax = null;
        if (throughputAtMaxBatch && w.Phase == Phase.Decode && capacity.MaxBatchAtContext >= 1)
        {
            atMax = capacity.MaxBatchAtContext == w.Batch ? step.OverlappedSec : Roofline.OverlappedSec(w with { Batch = capacity.MaxBatchAtContext });
        }
        var spec = w.Speculation is not null && w.Phase == Phase.Decode ? SpecStep.Cost(w) : null;
        var specAtMax = spec is not null && atMax is not null ? (capacity.MaxBatchAtContext == w.Batch ? spec : SpecStep.Cost(w with { Batch = capacity.MaxBatchAtContext })) : null;
        var notes = new List<string>(step.Notes);
        if (spec is not null)
        {
            notes.AddRange(spec.Notes);
        }
        notes.AddRange(w.Scheme.Warnings(w.Model));
        if (!capacity.Fits)
        {
            notes.Add("does not fit in device memory at this batch and context");
        }
        if (w.Model.MaxPositionEmbeddings > 0 && w.ContextTokens > w.Model.MaxPositionEmbeddings)
        {
            notes.Add($"context beyond the model's max_position_embeddings ({w.Model.MaxPositionEmbeddings})");
        }
        return new CaseResult(
            w,
            step,
            CacheMemory.ForBatch(layout, w.Batch, cachedTokens),
            w.Plan.IsSingle
                ? CacheMemory.PaperBytesPerToken(layout) / CacheMemory.Fp16KvBytesPerToken(w.Model)
                : CacheMemory.PaperBytesPerToken(layout) * Parallelism.Sharding.CachedTokenShare(w.Scheme, w.Plan.TensorParallel) / CacheMemory.Fp16KvBytesPerToken(RankCapacity.StageModel(w, RankCapacity.RankOnly)),
            capacity,
            atMax,
            notes)
        {
            Speculation = spec,
            SpeculationAtMaxBatch = specAtMax,
        };
    }
}
