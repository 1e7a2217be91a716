namespace XQuant.Sim.Studies.Measurement;

/// <summary>The performance table and what it was measured under (host, load average before and after, notes).</summary>
public sealed record LimitBenchResult(IReadOnlyList<LimitRow> Rows, int Rounds, string Host, string LoadBefore, string LoadAfter, IReadOnlyList<string> Notes);
