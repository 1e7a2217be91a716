using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Foundation.Text;

namespace XQuant.Sim.Studies.Serving;

/// <summary>Runs every scheme of a plan: simulations at the arrival settings, then the max-rate search. Pure: no I/O.</summary>
public static class ServingStudy
{
    public static ServingSimulator Simulator(Workload w, SchedulerConfig config, bool overlapped) =>
        new(new IterationCoster(w, overlapped), PoolPlan.For(w, config.BlockTokens, config.MaxBatchedTokens), config);

    public static ServingStudyResult Run(ServingRequestPlan plan, Action<string>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var schemes = new List<SchemeServing>();
        foreach (var scheme in plan.Schemes)
        {
            var w = plan.Template with { Scheme = scheme };
            var sim = Simulator(w, plan.Config, plan.Overlapped);
            var runs = new List<ServingRun>();
            var settings = plan.Arrivals.Kind == ArrivalKind.Poisson
                ? plan.Rates.Select(r => (Spec: plan.Arrivals.WithRate(r), Rate: (double?)r)).ToList()
                : [(plan.Arrivals, null)];
            foreach (var (spec, rate) in settings)
            {
                progress?.Invoke($"{scheme.Spec}: simulating {spec.Describe()}");
                var result = sim.Run(spec, recordDetail: true, cancel);
                var summary = ServingSummary.Of(result, plan.Slo);
                runs.Add(new ServingRun(scheme.Spec, spec.Describe(), rate, result, summary, CostOf(plan, summary)));
            }
            MaxRateResult? maxRate = null;
            if (plan.MaxRate)
            {
                progress?.Invoke($"{scheme.Spec}: searching the largest rate meeting p{plan.Percentile} {plan.Slo}");
                maxRate = MaxRateSearch.Find(sim, plan.Arrivals.Kind == ArrivalKind.Poisson ? plan.Arrivals : plan.Arrivals with { Kind = ArrivalKind.Poisson }, plan.Slo, plan.Percentile,
                    p => progress?.Invoke($"{scheme.Spec}: {Formats.Sig(p.RatePerSec)} req/s {(p.Passed ? "meets" : "misses")} the SLO"), cancel);
            }
            schemes.Add(new SchemeServing(scheme.Spec, sim.Pool, runs, maxRate));
        }
        return new ServingStudyResult(plan, schemes);
    }

    public static CostEnergy CostOf(ServingRequestPlan plan, ServingSummary summary)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return CostEnergy.Of(summary, plan.PricePerDeviceHour, plan.PriceSource, plan.Template.Hardware.TdpWatts, plan.IdleWatts, plan.Template.Plan.Devices);
    }
}
