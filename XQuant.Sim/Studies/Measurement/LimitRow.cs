namespace XQuant.Sim.Studies.Measurement;

/// <summary>
/// One figure of the performance table: its median rate over the rounds, the physical limit it is read against
/// (measured in the same rounds) and the median and spread of the per-round ratio. A limit row itself has
/// <paramref name="Limit"/> null and no ratio.
/// </summary>
public sealed record LimitRow(string Figure, string Unit, double Median, string? Limit, double RatioMedian, double RatioMin, double RatioMax);
