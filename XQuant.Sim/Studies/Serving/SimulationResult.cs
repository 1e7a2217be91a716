namespace XQuant.Sim.Studies.Serving;

/// <summary>
/// Everything one simulation produced: one outcome per request (in id order), scheduler counters, the pool-use trace
/// (blocks in use while each iteration runs, and at the end; MaxUsedBlocks is the peak at any moment, preemptions
/// included) and the pooled inter-token gaps.
/// Token counts: prefill (prompt chunks and recomputes) and decode tokens run, and the computed tokens preemption
/// dropped (every one is computed again).
/// </summary>
public sealed record SimulationResult(
    IReadOnlyList<RequestOutcome> Requests,
    PoolPlan Pool,
    SchedulerConfig Config,
    long Iterations,
    double BusySec,
    long Preemptions,
    long MaxUsedBlocks,
    long BlocksInUseAtEnd,
    long PrefillTokens,
    long DecodeTokens,
    long RecomputedTokens,
    IReadOnlyList<double> InterTokenGapsSec,
    IReadOnlyList<double> PoolTimesSec,
    IReadOnlyList<long> PoolUsedBlocks)
{
    /// <summary>From the first arrival to the last completion (the benchmark duration as AIPerf measures it).</summary>
    public double DurationSec
    {
        get
        {
            var done = Requests.Where(r => r.Completed).ToList();
            return done.Count == 0 ? 0 : done.Max(r => r.FinishSec) - Requests.Where(r => !r.Skipped).Min(r => r.Request.ArrivalSec);
        }
    }

    /// <summary>Speculative verify steps run (one per decoding sequence per iteration); 0 without speculation.</summary>
    public long VerifySteps { get; init; }

    /// <summary>Output tokens the verify steps yielded (accepted drafts + the target's own token each).</summary>
    public long VerifiedTokens { get; init; }

    /// <summary>Seconds of the iterations spent in the drafter's steps (0 when drafting is not costed).</summary>
    public double DraftSec { get; init; }

    /// <summary>Measured mean tokens per verify step (the sampled counterpart of E); NaN without verify steps.</summary>
    public double TokensPerVerifyStep => VerifySteps > 0 ? (double)VerifiedTokens / VerifySteps : double.NaN;
}
