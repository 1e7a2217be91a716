using XQuant.Sim.Domain.CostModel;

namespace XQuant.Sim.Studies.Measurement;

/// <summary>
/// What <see cref="LimitBench"/> measures: kernels at full or quick sizes, interleaved <paramref name="Rounds"/>
/// times; the cost model on <paramref name="CostCases"/> (one thread and <paramref name="Threads"/> threads).
/// </summary>
public sealed record LimitBenchRequest(bool Quick, int Rounds, IReadOnlyList<Workload> CostCases, int Threads);
