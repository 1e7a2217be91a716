namespace XQuant.Sim.Studies.Serving;

/// <summary>
/// The metrics of one simulation, with AIPerf's definitions: latencies per completed request (TTFT, TPOT, E2E),
/// ITL as every gap between consecutive output tokens of a request pooled over requests, throughputs over the
/// benchmark duration (first arrival to last completion), goodput = completed requests that meet every SLO target
/// per second of that duration.
/// </summary>
public sealed record ServingSummary(
    int Requests,
    int Completed,
    int Skipped,
    double DurationSec,
    double RequestsPerSec,
    double OutputTokensPerSec,
    double TotalTokensPerSec,
    double GoodputRequestsPerSec,
    double SloAttainment,
    Distribution TtftSec,
    Distribution TpotSec,
    Distribution ItlSec,
    Distribution E2eSec,
    long Preemptions,
    long Iterations,
    double BusyFraction,
    double PeakPoolFraction,
    double MeanRunningTokens)
{
    public static ServingSummary Of(SimulationResult r, Slo slo)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(slo);
        var done = r.Requests.Where(q => q.Completed).ToList();
        double duration = r.DurationSec;
        double Per(double x) => duration > 0 ? x / duration : double.NaN;
        long output = done.Sum(q => (long)q.Request.OutputTokens);
        long input = done.Sum(q => (long)q.Request.InputTokens);
        int good = slo.IsEmpty ? done.Count : done.Count(slo.Meets);
        double meanUsed = r.PoolUsedBlocks.Count > 0 ? r.PoolUsedBlocks.Average() * r.Pool.BlockTokens : 0;
        return new ServingSummary(
            r.Requests.Count,
            done.Count,
            r.Requests.Count(q => q.Skipped),
            duration,
            Per(done.Count),
            Per(output),
            Per(input + output),
            Per(good),
            done.Count > 0 ? (double)good / done.Count : double.NaN,
            Distribution.Of(done.Select(q => q.TtftSec)),
            Distribution.Of(done.Select(q => q.TpotSec)),
            Distribution.Of(r.InterTokenGapsSec),
            Distribution.Of(done.Select(q => q.E2eSec)),
            r.Preemptions,
            r.Iterations,
            duration > 0 ? r.BusySec / duration : double.NaN,
            r.Pool.TotalBlocks > 0 ? (double)r.MaxUsedBlocks / r.Pool.TotalBlocks : double.NaN,
            meanUsed);
    }

    /// <summary>Whether the p-th percentiles of TTFT, TPOT and E2E meet the targets (the max-rate criterion).</summary>
    public bool MeetsAtPercentile(Slo slo, int percentile)
    {
        ArgumentNullException.ThrowIfNull(slo);
        if (Completed == 0 || Skipped > 0)
        {
            return false;
        }
        return (slo.TtftSec is not double a || TtftSec.At(percentile) <= a)
            && (slo.TpotSec is not double b || double.IsNaN(TpotSec.At(percentile)) || TpotSec.At(percentile) <= b)
            && (slo.E2eSec is not double c || E2eSec.At(percentile) <= c);
    }
}
