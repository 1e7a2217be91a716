using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Memory;
using XQuant.Sim.Domain.Parallelism;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Studies.Serving;

/// <summary>
/// The paged cache pool of one serving instance, from the capacity planner's terms: device memory - runtime
/// reserve - weights - peak activations, cut into blocks of <see cref="BlockTokens"/> tokens.
/// </summary>
/// <remarks>
/// A block holds <see cref="BlockTokens"/> tokens of every layer at the scheme's exact per-token bytes (packed
/// payload + scale/zero metadata, plus XQuant-CL's accumulator row, which grows with the context). What does not
/// page by token is per-sequence state, reserved in whole blocks when a sequence is admitted: KIVI's FP16 window
/// holds up to W - 1 recent tokens at FP16 instead of their quantized form. With both, a sequence of l tokens never
/// needs more than ceil(l / block) + <see cref="StateBlocksPerSequence"/> blocks of <see cref="BlockBytes"/>, and
/// never less than <see cref="CacheMemory.TotalBytesPerSequence"/> (a test checks the bound).
/// Peak activations follow vLLM's profiling run: the planner's per-sequence working set (hidden states, FFN
/// intermediates, FP32 logits) for every token of the largest iteration, max_num_batched_tokens; conservative, as
/// logits are only needed for sampled tokens.
/// On a tensor/pipeline-parallel plan every figure is the fullest device's (<see cref="RankCapacity"/>): a rank's
/// share of the weights of the largest stage, the cache of that stage's layers in the scheme's TP layout (a rank
/// holds 1/TP of the heads; under tp=tokens all heads of 1/TP of the tokens), the rank model's activations. Every
/// sequence has its cache on every device, so the pool of the fullest device is the deployment's pool.
/// Local (sliding-window) layers hold at most their window: of a sequence's ceil(l / block) blocks of token slots, a
/// local layer keeps at most ceil(W / block) + 1 (the window can straddle a block boundary; blocks that fall out of
/// it are freed, as vLLM's sliding-window manager does), so a sequence needs (global bytes x its slots + local bytes x
/// the window's slots) / <see cref="BlockBytes"/> blocks, rounded up. Without local layers that is ceil(l / block).
/// Speculative decoding with a draft model (k &gt; 0): the draft's weights (<see cref="DraftWeightBytes"/>) come out
/// of the pool, and its own cache (FP16, or its MLA latent; every layer of the draft for every token) adds
/// <see cref="DraftBytesPerToken"/> to <see cref="BytesPerToken"/>, since the draft caches the same tokens. With
/// draft=mtp the module's weights (one decoder layer + eh_proj + norms, <see cref="SpecCapacity"/>; the model config's
/// layer count leaves the MTP layer out) come out of the pool too, and its one-layer cache adds to the bytes per token. On a multi-device plan
/// the drafter is placed on the fullest device (conservative). The k slots a verify step writes are reserved by the
/// simulator (<see cref="ServingSimulator"/>), not here.
/// </remarks>
public sealed record PoolPlan(
    double DeviceBytes,
    double ReserveBytes,
    double WeightBytes,
    double ActivationBytes,
    int BlockTokens,
    double BlockBytes,
    double BytesPerToken,
    double StateBytesPerSequence,
    int StateBlocksPerSequence,
    long TotalBlocks,
    double LocalBytesPerToken = 0,
    int WindowTokens = 0,
    double DraftWeightBytes = 0,
    double DraftBytesPerToken = 0)
{
    public double PoolBytes => TotalBlocks * BlockBytes;

    /// <summary>Blocks a sequence holding <paramref name="tokens"/> tokens occupies, its state included.</summary>
    public long BlocksFor(long tokens)
    {
        long slots = (tokens + BlockTokens - 1) / BlockTokens;
        if (LocalBytesPerToken <= 0 || WindowTokens <= 0)
        {
            return slots + StateBlocksPerSequence;
        }
        long localSlots = Math.Min(slots, (WindowTokens + BlockTokens - 1) / BlockTokens + 1);
        double bytes = BlockTokens * ((BytesPerToken - LocalBytesPerToken) * slots + LocalBytesPerToken * localSlots);
        // Relative slack: block bytes are sums of the same per-token terms, so an exact multiple must not round up.
        return (long)Math.Ceiling(bytes / BlockBytes - 1e-9) + StateBlocksPerSequence;
    }

    /// <summary>Tokens the pool holds if it holds one sequence (for messages); long.MaxValue when every layer is local.</summary>
    public long MaxTokensOneSequence
    {
        get
        {
            long free = TotalBlocks - StateBlocksPerSequence;
            if (free <= 0)
            {
                return 0;
            }
            if (LocalBytesPerToken <= 0 || WindowTokens <= 0)
            {
                return free * BlockTokens;
            }
            if (BytesPerToken - LocalBytesPerToken <= 0)
            {
                return long.MaxValue;
            }
            long lo = 0, hi = BlockTokens;
            while (BlocksFor(hi) - StateBlocksPerSequence <= free && hi < long.MaxValue / 4)
            {
                hi *= 2;
            }
            while (hi - lo > 1)
            {
                long mid = lo + (hi - lo) / 2;
                if (BlocksFor(mid) - StateBlocksPerSequence <= free)
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

    public static PoolPlan For(Workload w, int blockTokens, int maxBatchedTokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockTokens, 1);
        // A multi-device plan sizes the fullest device: its weights, its stage's layers in the scheme's TP layout, its
        // rank's activations (RankCapacity's terms).
        bool single = w.Plan.IsSingle;
        var layout = single ? LayoutCache.Get(w.Scheme, w.Model) : RankCapacity.Layout(w);
        double device = w.Hardware.Dram.CapacityBytes;
        double reserve = device * w.RuntimeReserveFraction;
        double weights = single ? Capacity.WeightBytes(w) : RankCapacity.WeightBytes(w);
        double activations = Capacity.ActivationBytes(single ? w : RankCapacity.RankWorkload(w), maxBatchedTokens, 0);
        var (perToken, state, localPerToken, window) = CacheTerms(layout);
        // tp=tokens: each rank caches ceil(block / TP) of a block's tokens (the bytes per token are then the rank's
        // share per token of a sequence).
        double share = single ? 1 : Sharding.CachedTokenShare(w.Scheme, w.Plan.TensorParallel);
        double blockBytes = share < 1 ? perToken * Math.Ceiling(blockTokens * share) : perToken * blockTokens;
        if (share < 1 && perToken > 0)
        {
            // The local layers' bytes shrink with the same share, or their window would look larger than it is.
            localPerToken *= blockBytes / blockTokens / perToken;
        }
        perToken = share < 1 ? blockBytes / blockTokens : perToken;
        double draftWeights = 0, draftPerToken = 0;
        if (w.Speculation is { DraftTokens: > 0 } spec && spec.Drafter != SpecDrafter.Free)
        {
            var draft = SpecStep.DraftWorkload(w, 1);
            var (dPerToken, dState, _, _) = CacheTerms(LayoutCache.Get(draft.Scheme, draft.Model));
            draftWeights = SpecCapacity.DrafterWeightBytes(w);
            draftPerToken = dPerToken;
            state += dState;
            perToken += draftPerToken;
            blockBytes += draftPerToken * blockTokens;
        }
        int stateBlocks = state <= 0 ? 0 : (int)Math.Ceiling(state / blockBytes);
        double free = device - reserve - weights - draftWeights - activations;
        long blocks = free <= 0 ? 0 : (long)Math.Floor(free / blockBytes);
        return new PoolPlan(device, reserve, weights, activations, blockTokens, blockBytes, perToken, state, stateBlocks, blocks, localPerToken, window,
            draftWeights, draftPerToken);
    }

    /// <summary>Bytes per token over all layers (payload, metadata, accumulator row), non-paging state per sequence, and the local layers' share and window.</summary>
    private static (double PerToken, double State, double LocalPerToken, int Window) CacheTerms(CacheLayout layout)
    {
        double perToken = 0, state = 0, localPerToken = 0;
        int window = 0;
        foreach (var run in layout.Runs)
        {
            foreach (var t in run.Layer.Tensors)
            {
                double q = t.IsQuantized ? CacheMemory.PaperBytesPerToken(t) : t.WidthElements * 2.0;
                perToken += run.Count * q;
                if (run.Layer.AttentionWindowTokens > 0)
                {
                    localPerToken += run.Count * q;
                    window = Math.Max(window, run.Layer.AttentionWindowTokens);
                }
                if (t.IsQuantized && t.WindowTokens > 0)
                {
                    state += run.Count * (t.WindowTokens - 1) * (t.WidthElements * 2.0 - q);
                }
            }
        }
        if (layout.Accumulator is { } acc)
        {
            perToken += CacheMemory.AccumulatorBytes(acc, 1);
        }
        return (perToken, state, localPerToken, window);
    }
}
