namespace XQuant.Sim.Studies.Serving;

/// <summary>Per scheme: its pool, its runs, and its max-rate search when asked for.</summary>
public sealed record SchemeServing(string Scheme, PoolPlan Pool, IReadOnlyList<ServingRun> Runs, MaxRateResult? MaxRate);
