using XQuant.Sim.Planning;

namespace XQuant.Sim.Scenarios;

/// <summary>The immutable outcome of a scenario: every case costed, in expansion order. Exporters only read it.</summary>
public sealed record RunResult(Scenario Scenario, IReadOnlyList<CaseResult> Cases, bool DetailOps);
