using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Studies.Serving;

/// <summary>
/// The scheduler's knobs, named as vLLM names them: max_num_batched_tokens (token budget of one iteration),
/// max_num_seqs (running sequences), chunked prefill on or off, and the block size of the paged cache.
/// </summary>
public sealed record SchedulerConfig(int MaxBatchedTokens, int MaxSeqs, bool ChunkedPrefill, int BlockTokens)
{
    /// <summary>vLLM's default block size (tokens per KV block).</summary>
    public const int DefaultBlockTokens = 16;

    /// <summary>
    /// vLLM's defaults (EngineArgs.get_batch_defaults in vllm/engine/arg_utils.py, V1 engine, v0.10-v0.11): on a
    /// device with at least 70 GiB that is not an A100, 8192 batched tokens and 1024 sequences for the OpenAI API
    /// server (16384 and 1024 for the offline LLM class); otherwise 2048 and 256 (8192 and 256 offline).
    /// </summary>
    public static (int MaxBatchedTokens, int MaxSeqs) VllmDefaults(HardwareProfile hw, bool offline)
    {
        ArgumentNullException.ThrowIfNull(hw);
        const double GiB = 1024.0 * 1024 * 1024;
        bool large = hw.Dram.CapacityBytes >= 70 * GiB && !hw.Name.Contains("A100", StringComparison.OrdinalIgnoreCase);
        return large ? (offline ? 16384 : 8192, 1024) : (offline ? 8192 : 2048, 256);
    }
}
