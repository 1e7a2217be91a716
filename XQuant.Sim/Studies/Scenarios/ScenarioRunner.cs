using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Foundation.Concurrency;

namespace XQuant.Sim.Studies.Scenarios;

/// <summary>
/// Costs a scenario's cases in expansion order, lazily, checking for Ctrl+C between cases. With more than one
/// thread the cases are costed in parallel and still come out in expansion order (same bytes on 1 and N threads).
/// </summary>
public static class ScenarioRunner
{
    /// <summary>Above this many cases a run streams its CSV instead of holding every result in memory.</summary>
    public const long StreamingThreshold = 20_000;

    public static IEnumerable<CaseResult> Stream(Scenario scenario, Action<long, long>? progress = null, CancellationToken cancel = default) =>
        Stream(scenario, threads: 1, progress, cancel);

    public static IEnumerable<CaseResult> Stream(Scenario scenario, int threads, Action<long, long>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        return Counted(OrderedParallel.Select(scenario.Expand(), w => CaseCoster.Cost(w), threads, cancel: cancel), scenario.CaseCount, progress);
    }

    /// <summary>
    /// Costs each case and applies <paramref name="then"/> on the same worker thread (e.g. formatting its CSV rows),
    /// so only the small result of <paramref name="then"/> waits in flight, never the case's whole ledger.
    /// </summary>
    public static IEnumerable<T> Stream<T>(Scenario scenario, Func<CaseResult, T> then, int threads, Action<long, long>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(then);
        return Counted(OrderedParallel.Select(scenario.Expand(), w => then(CaseCoster.Cost(w)), threads, cancel: cancel), scenario.CaseCount, progress);
    }

    public static RunResult Run(Scenario scenario, bool detailOps = false, Action<long, long>? progress = null, CancellationToken cancel = default) =>
        Run(scenario, threads: 1, detailOps, progress, cancel);

    public static RunResult Run(Scenario scenario, int threads, bool detailOps = false, Action<long, long>? progress = null, CancellationToken cancel = default) =>
        new(scenario, Stream(scenario, threads, progress, cancel).ToList(), detailOps);

    private static IEnumerable<T> Counted<T>(IEnumerable<T> cases, long total, Action<long, long>? progress)
    {
        long done = 0;
        foreach (var c in cases)
        {
            yield return c;
            progress?.Invoke(++done, total);
        }
    }
}
