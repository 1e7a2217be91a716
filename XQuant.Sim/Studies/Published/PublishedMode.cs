namespace XQuant.Sim.Studies.Published;

/// <summary>How a published run drove the engine.</summary>
public enum PublishedMode
{
    /// <summary>One static batch: prefill of the whole batch, then decode steps to the output length.</summary>
    FixedBatch,

    /// <summary>Every request queued at t = 0; the engine runs as many as fit (offline throughput).</summary>
    MaxThroughput,

    /// <summary>A closed loop: N requests in flight, a new one starts when one ends.</summary>
    Concurrency,

    /// <summary>A dataset replayed against a server, up to a stated number of running sequences.</summary>
    Serving,
}

public static class PublishedModes
{
    public static readonly IReadOnlyList<PublishedMode> All = Enum.GetValues<PublishedMode>();

    public static string Name(this PublishedMode m) => m switch
    {
        PublishedMode.FixedBatch => "fixed-batch",
        PublishedMode.MaxThroughput => "max-throughput",
        PublishedMode.Concurrency => "concurrency",
        PublishedMode.Serving => "serving",
        _ => throw new ArgumentOutOfRangeException(nameof(m)),
    };

    public static IReadOnlyList<string> Names => All.Select(Name).ToList();

    public static bool TryParse(string s, out PublishedMode mode)
    {
        foreach (var m in All)
        {
            if (string.Equals(m.Name(), s, StringComparison.Ordinal))
            {
                mode = m;
                return true;
            }
        }
        mode = default;
        return false;
    }
}
