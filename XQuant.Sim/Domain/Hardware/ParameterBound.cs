namespace XQuant.Sim.Domain.Hardware;

/// <summary>The allowed range of one efficiency parameter.</summary>
public sealed record ParameterBound(string Name, double Min, double Max);
