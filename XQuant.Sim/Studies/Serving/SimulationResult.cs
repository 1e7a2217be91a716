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
}
