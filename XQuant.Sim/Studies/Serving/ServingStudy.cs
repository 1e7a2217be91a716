using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Foundation.Concurrency;
using XQuant.Sim.Foundation.Text;

namespace XQuant.Sim.Studies.Serving;

/// <summary>Runs every scheme of a plan: simulations at the arrival settings, then the max-rate search. Pure: no I/O.</summary>
public static class ServingStudy
{
    /// <summary>A simulator of <paramref name="w"/>; under speculation with a costed drafter, with the drafter's own coster.</summary>
    public static ServingSimulator Simulator(Workload w, SchedulerConfig config, bool overlapped)
    {
        ArgumentNullException.ThrowIfNull(w);
        var drafter = w.Speculation is { DraftTokens: > 0, Drafter: not SpecDrafter.Free } ? IterationCoster.ForDrafter(w, overlapped) : null;
        return new(new IterationCoster(w, overlapped), PoolPlan.For(w, config.BlockTokens, config.MaxBatchedTokens), config, drafter);
    }

    public static ServingStudyResult Run(ServingRequestPlan plan, Action<string>? progress = null, CancellationToken cancel = default) =>
        Run(plan, 1, progress, cancel);

    /// <summary>
    /// Runs the plan's simulations on <paramref name="threads"/> threads: each (scheme, arrival setting) simulation
    /// and each scheme's max-rate search is one job with its own simulator (a simulator memoizes per-context ledgers
    /// and is not shared between threads). Results come back in the order of one thread, and a simulation is a pure
    /// function of its inputs, so the result (and every file made from it) is the same on any thread count.
    /// </summary>
    public static ServingStudyResult Run(ServingRequestPlan plan, int threads, Action<string>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (threads > 1)
        {
            return RunParallel(plan, threads, progress, cancel);
        }
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

    private static ServingStudyResult RunParallel(ServingRequestPlan plan, int threads, Action<string>? progress, CancellationToken cancel)
    {
        var gate = new object();
        void Report(string line)
        {
            if (progress is not null)
            {
                lock (gate)
                {
                    progress(line);
                }
            }
        }
        var settings = plan.Arrivals.Kind == ArrivalKind.Poisson
            ? plan.Rates.Select(r => (Spec: plan.Arrivals.WithRate(r), Rate: (double?)r)).ToList()
            : [(plan.Arrivals, null)];
        // Jobs in one-thread order: per scheme, its settings, then its search (Setting -1).
        var jobs = new List<(int Scheme, int Setting)>();
        for (int i = 0; i < plan.Schemes.Count; i++)
        {
            jobs.AddRange(Enumerable.Range(0, settings.Count).Select(k => (i, k)));
            if (plan.MaxRate)
            {
                jobs.Add((i, -1));
            }
        }
        var done = OrderedParallel.Map(jobs, job =>
        {
            var scheme = plan.Schemes[job.Scheme];
            var sim = Simulator(plan.Template with { Scheme = scheme }, plan.Config, plan.Overlapped);
            if (job.Setting < 0)
            {
                Report($"{scheme.Spec}: searching the largest rate meeting p{plan.Percentile} {plan.Slo}");
                var found = MaxRateSearch.Find(sim, plan.Arrivals.Kind == ArrivalKind.Poisson ? plan.Arrivals : plan.Arrivals with { Kind = ArrivalKind.Poisson }, plan.Slo, plan.Percentile,
                    p => Report($"{scheme.Spec}: {Formats.Sig(p.RatePerSec)} req/s {(p.Passed ? "meets" : "misses")} the SLO"), cancel);
                return (sim.Pool, Run: (ServingRun?)null, MaxRate: (MaxRateResult?)found);
            }
            var (spec, rate) = settings[job.Setting];
            Report($"{scheme.Spec}: simulating {spec.Describe()}");
            var result = sim.Run(spec, recordDetail: true, cancel);
            var summary = ServingSummary.Of(result, plan.Slo);
            return (sim.Pool, Run: new ServingRun(scheme.Spec, spec.Describe(), rate, result, summary, CostOf(plan, summary)), MaxRate: null);
        }, threads, cancel);
        var schemes = new List<SchemeServing>();
        for (int i = 0; i < plan.Schemes.Count; i++)
        {
            var mine = jobs.Select((j, k) => (j, done[k])).Where(x => x.j.Scheme == i).Select(x => x.Item2).ToList();
            var pool = mine.Count > 0 ? mine[0].Pool : PoolPlan.For(plan.Template with { Scheme = plan.Schemes[i] }, plan.Config.BlockTokens, plan.Config.MaxBatchedTokens);
            schemes.Add(new SchemeServing(plan.Schemes[i].Spec, pool, mine.Where(x => x.Run is not null).Select(x => x.Run!).ToList(), mine.FirstOrDefault(x => x.MaxRate is not null).MaxRate));
        }
        return new ServingStudyResult(plan, schemes);
    }

    public static CostEnergy CostOf(ServingRequestPlan plan, ServingSummary summary)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return CostEnergy.Of(summary, plan.PricePerDeviceHour, plan.PriceSource, plan.Template.Hardware.TdpWatts, plan.IdleWatts, plan.Template.Plan.Devices);
    }
}
