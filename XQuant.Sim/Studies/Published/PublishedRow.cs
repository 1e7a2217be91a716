namespace XQuant.Sim.Studies.Published;

/// <summary>
/// One published measured run (a row of published-perf.csv): the setup as published and one measured number.
/// Optional counts are null where the publication does not state them; nothing is filled in here.
/// </summary>
public sealed record PublishedRow
{
    public required string Id { get; init; }

    /// <summary>1-based data row number in its file (header excluded), for messages.</summary>
    public required int Line { get; init; }

    public required string Hardware { get; init; }
    public required int Devices { get; init; }
    public required string Model { get; init; }
    public required string Weights { get; init; }
    public double? WeightBits { get; init; }
    public required string Kv { get; init; }
    public required string Engine { get; init; }
    public string Framework { get; init; } = "";
    public required PublishedMode Mode { get; init; }
    public long? Batch { get; init; }
    public long? Concurrency { get; init; }
    public long? InputTokens { get; init; }
    public long? OutputTokens { get; init; }
    public required PublishedMetric Metric { get; init; }
    public required double Value { get; init; }
    public required string Source { get; init; }
    public string Quote { get; init; } = "";
    public string Notes { get; init; } = "";
}
