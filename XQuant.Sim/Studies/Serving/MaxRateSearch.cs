namespace XQuant.Sim.Studies.Serving;

/// <summary>
/// Bisection on the Poisson rate. The same seeded arrival pattern is rescaled for every rate, so a higher rate
/// only packs the same requests closer. The ceiling is the saturated service rate (<see cref="SaturatedRate"/>):
/// no steady rate above it can be served, although a finite run can absorb such a burst into a growing batch
/// without breaking the SLO. If the ceiling passes, it is the answer (capacity-bound); if rate / 1024 fails, the SLO
/// cannot be met at any rate (e.g. one prefill alone is slower than the TTFT target); otherwise bisection
/// (geometric) between them. When the pool does not bind at this many requests (all fit in one batch) there is no
/// ceiling: the rate doubles from the offline rate until the SLO breaks, then bisects.
/// Bisection stops when the bracket is within <see cref="RelativeTolerance"/>.
/// A finite run hides an overload: above capacity the queue grows for as long as requests arrive, and with few
/// requests the percentiles over all of them can still pass. So a rate passes only if the percentiles also hold over
/// the last <see cref="TailFraction"/> of the requests by arrival, where a growing queue is longest. An overload
/// smaller than that tail can absorb (queueing growth of N x (1/capacity - 1/rate) below the TTFT target) still
/// passes: the found rate depends on the request count, which the report states.
/// </summary>
public static class MaxRateSearch
{
    public const double RelativeTolerance = 0.01;
    public const int MaxSteps = 24;
    public const double TailFraction = 0.1;

    /// <summary>
    /// The service rate of a saturated server: requests/s completed between the first and third quartile of the
    /// completions of an offline run, where the batch is as large as the pool and max_num_seqs allow (the warm-up wave
    /// of prefills and the drain are left out). When every request fits in one batch they finish together and the
    /// rate is unbounded: the pool does not limit that many requests.
    /// </summary>
    public static double SaturatedRate(SimulationResult offline)
    {
        ArgumentNullException.ThrowIfNull(offline);
        var finish = offline.Requests.Where(r => r.Completed).Select(r => r.FinishSec).Order().ToArray();
        if (finish.Length < 4)
        {
            return finish.Length == 0 ? 0 : double.PositiveInfinity;
        }
        int q1 = finish.Length / 4, q3 = 3 * finish.Length / 4;
        double span = finish[q3] - finish[q1];
        return span > 0 ? (q3 - q1) / span : double.PositiveInfinity;
    }

    /// <summary>Whether the percentile targets hold over the last <see cref="TailFraction"/> of requests by arrival.</summary>
    public static bool TailMeets(SimulationResult result, Slo slo, int percentile)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(slo);
        var ordered = result.Requests.OrderBy(r => r.Request.ArrivalSec).ThenBy(r => r.Request.Id).ToList();
        int take = Math.Max(1, (int)Math.Ceiling(ordered.Count * TailFraction));
        var tail = ordered.Skip(ordered.Count - take).ToList();
        if (tail.Any(r => !r.Completed))
        {
            return false;
        }
        bool Holds(double? target, Func<RequestOutcome, double> metric)
        {
            if (target is not double t)
            {
                return true;
            }
            double v = Distribution.Of(tail.Select(metric)).At(percentile);
            return double.IsNaN(v) || v <= t;
        }
        return Holds(slo.TtftSec, r => r.TtftSec) && Holds(slo.TpotSec, r => r.TpotSec) && Holds(slo.E2eSec, r => r.E2eSec);
    }

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
            var p = new RateProbe(rate, summary.MeetsAtPercentile(slo, percentile) && TailMeets(result, slo, percentile), summary);
            probes.Add(p);
            onProbe?.Invoke(p);
            return p;
        }
        var offlineRun = sim.Run(spec with { Kind = ArrivalKind.Offline }, recordDetail: false, cancel);
        var offline = ServingSummary.Of(offlineRun, slo);
        double capacity = SaturatedRate(offlineRun);
        if (capacity <= 0)
        {
            return new MaxRateResult(0, percentile, slo, probes, capacity);
        }
        int steps = 0;
        double lo;
        double hi = capacity;
        if (double.IsPositiveInfinity(capacity))
        {
            // Not pool-bound at this many requests: double from the offline rate until the SLO breaks.
            hi = offline.RequestsPerSec;
            while (steps++ < 16 && Probe(hi).Passed)
            {
                hi *= 2;
            }
            if (probes[^1].Passed)
            {
                return new MaxRateResult(probes[^1].RatePerSec, percentile, slo, probes, capacity);
            }
        }
        else if (Probe(hi).Passed)
        {
            return new MaxRateResult(hi, percentile, slo, probes, capacity);
        }
        double floor = hi / 1024;
        if (probes.Any(p => p.Passed))
        {
            floor = probes.Where(p => p.Passed).Max(p => p.RatePerSec);
        }
        else if (!Probe(floor).Passed)
        {
            return new MaxRateResult(0, percentile, slo, probes, capacity);
        }
        lo = floor;
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
        return new MaxRateResult(lo, percentile, slo, probes, capacity);
    }
}
