namespace XQuant.Sim.Studies.Serving;

/// <summary>One simulated Poisson rate of a search: whether its percentile latencies met the SLO.</summary>
public sealed record RateProbe(double RatePerSec, bool Passed, ServingSummary Summary);
