using XQuant.Sim.Studies.Measurement;

namespace XQuant.Sim.Studies.Published;

/// <summary>|error| statistics of one group of scored rows at both tiers (percent).</summary>
public sealed record ScoreGroup(string Dimension, string Key, int Rows, ErrorStats Datasheet, ErrorStats Fitted);
