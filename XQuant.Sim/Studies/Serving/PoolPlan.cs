using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Memory;
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
    long TotalBlocks)
{
    public double PoolBytes => TotalBlocks * BlockBytes;

    /// <summary>Blocks a sequence holding <paramref name="tokens"/> tokens occupies, its state included.</summary>
    public long BlocksFor(long tokens) => (tokens + BlockTokens - 1) / BlockTokens + StateBlocksPerSequence;

    /// <summary>Tokens the pool holds if it holds one sequence (for messages).</summary>
    public long MaxTokensOneSequence => Math.Max(0, (TotalBlocks - StateBlocksPerSequence) * BlockTokens);

    public static PoolPlan For(Workload w, int blockTokens, int maxBatchedTokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockTokens, 1);
        var layout = LayoutCache.Get(w.Scheme, w.Model);
        double device = w.Hardware.Dram.CapacityBytes;
        double reserve = device * w.RuntimeReserveFraction;
        double weights = Capacity.WeightBytes(w);
        double activations = Capacity.ActivationBytes(w, maxBatchedTokens, 0);
        double perToken = 0, state = 0;
        foreach (var run in layout.Runs)
        {
            foreach (var t in run.Layer.Tensors)
            {
                double q = t.IsQuantized ? CacheMemory.PaperBytesPerToken(t) : t.WidthElements * 2.0;
                perToken += run.Count * q;
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
        double blockBytes = perToken * blockTokens;
        int stateBlocks = state <= 0 ? 0 : (int)Math.Ceiling(state / blockBytes);
        double free = device - reserve - weights - activations;
        long blocks = free <= 0 ? 0 : (long)Math.Floor(free / blockBytes);
        return new PoolPlan(device, reserve, weights, activations, blockTokens, blockBytes, perToken, state, stateBlocks, blocks);
    }
}
