namespace XQuant.Sim.Studies.Serving;

/// <summary>
/// Everything one simulation produced: one outcome per request (in id order), scheduler counters, the pool-use trace
/// (blocks in use at the start of each iteration, and at the end) and the pooled inter-token gaps.
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
