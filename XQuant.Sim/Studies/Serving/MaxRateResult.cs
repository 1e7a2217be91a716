namespace XQuant.Sim.Studies.Serving;

/// <summary>The largest Poisson rate found to meet the SLO at the percentile, and every rate tried on the way.</summary>
/// <param name="CapacityRatePerSec">Requests/s of the same requests all sent at t = 0: the saturated service rate, the search's ceiling.</param>
public sealed record MaxRateResult(double RatePerSec, int Percentile, Slo Slo, IReadOnlyList<RateProbe> Probes, double CapacityRatePerSec)
{
    /// <summary>The SLO held up to the saturated service rate: the pool and compute, not latency, bound the rate.</summary>
    public bool CapacityBound => RatePerSec > 0 && RatePerSec >= CapacityRatePerSec;

    /// <summary>The probe at the rate found (null when not even the lowest rate tried passed).</summary>
    public RateProbe? Best => Probes.Where(p => p.Passed).OrderByDescending(p => p.RatePerSec).FirstOrDefault();
}
