namespace XQuant.Sim.Studies.Measurement;

/// <summary>
/// One figure of the performance table: its median rate over the rounds, the physical limit it is read against
/// (measured in the same rounds) and the median and spread of the per-round ratio. A limit row itself has
/// <paramref name="Limit"/> null and no ratio. <paramref name="CpuRatioMedian"/>: the same ratio from work per
/// CPU second of this process instead of per wall second, which a busy host's waiting for a core does not inflate
/// (for N threads of the cost model its limit is the one-thread CPU rate: no extra CPU per case). NaN where unmeasured.
/// </summary>
public sealed record LimitRow(string Figure, string Unit, double Median, string? Limit, double RatioMedian, double RatioMin, double RatioMax, double CpuRatioMedian = double.NaN, double CpuRatioMin = double.NaN, double CpuRatioMax = double.NaN);
