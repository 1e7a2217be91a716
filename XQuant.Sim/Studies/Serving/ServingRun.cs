namespace XQuant.Sim.Studies.Serving;

/// <summary>One simulation of one scheme at one arrival setting.</summary>
public sealed record ServingRun(string Scheme, string Arrivals, double? RatePerSec, SimulationResult Result, ServingSummary Summary, CostEnergy CostEnergy);
