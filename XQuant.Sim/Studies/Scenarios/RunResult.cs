using XQuant.Sim.Domain.Planning;

namespace XQuant.Sim.Studies.Scenarios;

/// <summary>The immutable outcome of a scenario: every case costed, in expansion order. Exporters only read it.</summary>
public sealed record RunResult(Scenario Scenario, IReadOnlyList<CaseResult> Cases, bool DetailOps);
