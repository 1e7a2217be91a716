namespace XQuant.Sim.Studies.Published;

/// <summary>The one measured number of a published row, with its unit in the name.</summary>
public enum PublishedMetric
{
    OutputTokPerSec,
    OutputTokPerSecPerDevice,
    DecodeTokPerSecPerUser,
    TpotMs,
    ItlMs,
    TtftMs,
    E2eSec,
}

public static class PublishedMetrics
{
    public static readonly IReadOnlyList<PublishedMetric> All = Enum.GetValues<PublishedMetric>();

    public static string Name(this PublishedMetric m) => m switch
    {
        PublishedMetric.OutputTokPerSec => "output_tok_per_s",
        PublishedMetric.OutputTokPerSecPerDevice => "output_tok_per_s_per_device",
        PublishedMetric.DecodeTokPerSecPerUser => "decode_tok_per_s_per_user",
        PublishedMetric.TpotMs => "tpot_ms",
        PublishedMetric.ItlMs => "itl_ms",
        PublishedMetric.TtftMs => "ttft_ms",
        PublishedMetric.E2eSec => "e2e_s",
        _ => throw new ArgumentOutOfRangeException(nameof(m)),
    };

    public static IReadOnlyList<string> Names => All.Select(Name).ToList();

    public static bool TryParse(string s, out PublishedMetric metric)
    {
        foreach (var m in All)
        {
            if (string.Equals(m.Name(), s, StringComparison.Ordinal))
            {
                metric = m;
                return true;
            }
        }
        metric = default;
        return false;
    }
}
