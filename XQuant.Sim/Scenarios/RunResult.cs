using XQuant.Sim.Planning;

namespace XQuant.Sim.Scenarios;

/// <summary>The immutable outcome of a scenario: every case costed, in expansion order. Exporters only read it.</summary>
public sealed record RunResult(Scenario Scenario, IReadOnlyList<CaseResult> Cases, bool DetailOps);

public static class ScenarioRunner
{
    public static RunResult Run(Scenario scenario, bool detailOps = false, Action<long, long>? progress = null)
    {
        long total = scenario.CaseCount;
        var cases = new List<CaseResult>((int)Math.Min(total, 1 << 20));
        long done = 0;
        foreach (var w in scenario.Expand())
        {
            cases.Add(CaseCoster.Cost(w));
            progress?.Invoke(++done, total);
        }
        return new RunResult(scenario, cases, detailOps);
    }
}
