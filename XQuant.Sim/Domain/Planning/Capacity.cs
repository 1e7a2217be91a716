using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Memory;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Domain.Planning;

/// <summary>What must fit in device memory: weights + cache(batch, context) + activations + runtime reserve.</summary>
public sealed record CapacityResult(
    double DeviceBytes,
    double ReserveBytes,
    double WeightBytes,
    double CacheBytes,
    double ActivationBytes,
    double MaxBatchAtContext,
    double MaxContextAtBatch)
{
    public double UsedBytes => WeightBytes + CacheBytes + ActivationBytes + ReserveBytes;

    public bool Fits => UsedBytes <= DeviceBytes;
}

/// <summary>The capacity planner. Pure functions of a workload.</summary>
public static class Capacity
{
    /// <summary>Contexts are searched up to 2^40 tokens; anything larger is reported as that bound.</summary>
    public const double ContextSearchLimit = 1L << 40;

    public static double WeightBytes(Workload w) => w.Model.TotalParams * w.Weights.BytesPerWeight();

    /// <summary>
    /// Decode working set per batch: hidden states, Q, K, V, FFN intermediates (BF16) and FP32 logits per
    /// sequence, plus one layer's rematerialized K and V when remat is unfused (they round-trip DRAM).
    /// </summary>
    public static double ActivationBytes(Workload w, double batch, double context)
    {
        var m = w.Model;
        double remat = w.Scheme.Remat == RematMode.Unfused ? (context + 1) * 2.0 * m.KvDim * 2.0 : 0;
        return batch * (RowActivationBytes(w) + remat);
    }

    /// <summary>One token row of the working set: hidden states, Q, K, V, FFN intermediates (BF16), FP32 logits.</summary>
    private static double RowActivationBytes(Workload w)
    {
        var m = w.Model;
        return (4.0 * m.HiddenSize + m.QDim + 2.0 * m.KvDim + 3.0 * m.IntermediateSize) * 2.0 + m.VocabSize * 4.0;
    }

    /// <summary>A speculative verify step's working set per sequence: its k + 1 rows (one row in plain decode).</summary>
    private static double SequenceActivationBytes(Workload w, double context) =>
        ActivationBytes(w, 1, context) + (w.QueriesPerSequence - 1) * RowActivationBytes(w);

    public static CapacityResult Plan(Workload w, CacheLayout layout)
    {
        ArgumentNullException.ThrowIfNull(w);
        return w.Plan.IsSingle ? Plan(w, layout, WeightBytes(w), 1) : RankCapacity.Plan(w);
    }

    /// <summary>
    /// The planner on one device given its weights: <paramref name="w"/> sizes the activations (a rank's model under
    /// tensor parallelism), <paramref name="tokenShare"/> is the share of each sequence's tokens this device caches.
    /// </summary>
    public static CapacityResult Plan(Workload w, CacheLayout layout, double weights, double tokenShare)
    {
        ArgumentNullException.ThrowIfNull(w);
        double device = w.Hardware.Dram.CapacityBytes;
        double reserve = device * w.RuntimeReserveFraction;
        // A speculative decoder holds its drafter's weights too (on this device: the draft runs on one).
        weights += SpecCapacity.DrafterWeightBytes(w);
        double free = device - reserve - weights;
        // Under speculation a sequence holds l + k tokens while a step verifies (and so does the drafter's cache).
        double Cached(double l)
        {
            double held = SpecCapacity.HeldTokens(w, l);
            return tokenShare < 1 ? Math.Ceiling(held * tokenShare) : held;
        }
        double drafter = w.Batch * SpecCapacity.DrafterCacheBytesPerSequence(w, w.ContextTokens);
        double cache = CacheMemory.ForBatch(layout, w.Batch, Cached(w.ContextTokens)).TotalBytes + drafter;
        double act = w.Batch * SequenceActivationBytes(w, w.ContextTokens);
        // Sequences of a batch sit at different points of the window's flush cycle: plan for the fullest window.
        double perSeq = CacheMemory.TotalBytesPerSequence(layout, Cached(w.ContextTokens), worstWindow: true)
            + SpecCapacity.DrafterCacheBytesPerSequence(w, w.ContextTokens) + SequenceActivationBytes(w, w.ContextTokens);
        double maxBatch = free <= 0 ? 0 : Math.Floor(free / perSeq);
        double maxContext = MaxContext(w, layout, free, Cached);
        return new CapacityResult(device, reserve, weights, cache, act, maxBatch, maxContext);
    }

    private static double MaxContext(Workload w, CacheLayout layout, double free, Func<double, double> cached)
    {
        // Worst-case window: every context up to the answer fits too, although the window flushes every W tokens.
        double Need(double l) => w.Batch * (CacheMemory.TotalBytesPerSequence(layout, cached(l), worstWindow: true)
            + SpecCapacity.DrafterCacheBytesPerSequence(w, l) + SequenceActivationBytes(w, l));
        if (free <= 0 || Need(1) > free)
        {
            return 0;
        }
        if (Need(ContextSearchLimit) <= free)
        {
            return ContextSearchLimit;
        }
        double lo = 1, hi = ContextSearchLimit;
        while (hi - lo > 1)
        {
            double mid = Math.Floor((lo + hi) / 2);
            if (Need(mid) <= free)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }
}
