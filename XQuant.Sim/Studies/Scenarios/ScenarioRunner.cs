using XQuant.Sim.Domain.Planning;

namespace XQuant.Sim.Studies.Scenarios;

/// <summary>Costs a scenario's cases in expansion order, lazily, checking for Ctrl+C between cases.</summary>
public static class ScenarioRunner
{
    /// <summary>Above this many cases a run streams its CSV instead of holding every result in memory.</summary>
    public const long StreamingThreshold = 20_000;

    public static IEnumerable<CaseResult> Stream(Scenario scenario, Action<long, long>? progress = null, CancellationToken cancel = default)
    {
        long total = scenario.CaseCount;
        long done = 0;
        foreach (var w in scenario.Expand())
        {
            cancel.ThrowIfCancellationRequested();
            yield return CaseCoster.Cost(w);
            progress?.Invoke(++done, total);
        }
    }

    public static RunResult Run(Scenario scenario, bool detailOps = false, Action<long, long>? progress = null, CancellationToken cancel = default) =>
        new(scenario, Stream(scenario, progress, cancel).ToList(), detailOps);
}
