namespace XQuant.Sim.Studies.Serving;

/// <summary>One request as a client sends it: when, how many prompt tokens, how many output tokens it asks for.</summary>
public readonly record struct ServingRequest(int Id, double ArrivalSec, int InputTokens, int OutputTokens);
