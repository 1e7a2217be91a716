namespace XQuant.Sim.Studies.Serving;

/// <summary>One simulated Poisson rate of a search: whether its percentile latencies met the SLO.</summary>
public sealed record RateProbe(double RatePerSec, bool Passed, ServingSummary Summary);

/// <summary>The largest Poisson rate found to meet the SLO at the percentile, and every rate tried on the way.</summary>
public sealed record MaxRateResult(double RatePerSec, int Percentile, Slo Slo, IReadOnlyList<RateProbe> Probes)
{
    /// <summary>The probe at the rate found (null when not even the lowest rate tried passed).</summary>
    public RateProbe? Best => Probes.Where(p => p.Passed).OrderByDescending(p => p.RatePerSec).FirstOrDefault();
}

/// <summary>
/// Bisection on the Poisson rate. The same seeded arrival pattern is rescaled for every rate, so a higher rate
/// only packs the same requests closer. The bracket starts at the offline throughput (requests/s with every
/// request at t = 0, which no steady rate can exceed for long): a passing upper end doubles, a failing lower end
/// (rate / 1024) means the SLO cannot be met at any rate (e.g. one prefill alone is slower than the TTFT target).
/// Bisection stops when the bracket is within <see cref="RelativeTolerance"/>.
/// </summary>
public static class MaxRateSearch
{
    public const double RelativeTolerance = 0.01;
    public const int MaxSteps = 24;

    public static MaxRateResult Find(ServingSimulator sim, ArrivalSpec spec, Slo slo, int percentile, Action<RateProbe>? onProbe = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(sim);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(slo);
        var probes = new List<RateProbe>();
        RateProbe Probe(double rate)
        {
            var result = sim.Run(spec.WithRate(rate), recordDetail: false, cancel);
            var summary = ServingSummary.Of(result, slo);
            var p = new RateProbe(rate, summary.MeetsAtPercentile(slo, percentile), summary);
            probes.Add(p);
            onProbe?.Invoke(p);
            return p;
        }
        var offline = ServingSummary.Of(sim.Run(spec with { Kind = ArrivalKind.Offline }, recordDetail: false, cancel), slo);
        double hi = offline.RequestsPerSec > 0 && double.IsFinite(offline.RequestsPerSec) ? offline.RequestsPerSec : 1;
        double lo = 0;
        int steps = 0;
        if (Probe(hi).Passed)
        {
            lo = hi;
            while (steps++ < 10 && Probe(hi *= 2).Passed)
            {
                lo = hi;
            }
            if (lo == hi)
            {
                return new MaxRateResult(lo, percentile, slo, probes);
            }
        }
        else
        {
            double floor = hi / 1024;
            if (!Probe(floor).Passed)
            {
                return new MaxRateResult(0, percentile, slo, probes);
            }
            lo = floor;
        }
        while (steps++ < MaxSteps && (hi - lo) > RelativeTolerance * hi)
        {
            double mid = Math.Sqrt(lo * hi); // geometric: the bracket may span three decades
            if (Probe(mid).Passed)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }
        return new MaxRateResult(lo, percentile, slo, probes);
    }
}
