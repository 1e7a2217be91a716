namespace XQuant.Sim.Studies.Published;

/// <summary>One scored row as the fit sees it: its engine, its device vendor, its measured value and its prediction.</summary>
public sealed record FitPoint(string Id, string Engine, string Vendor, double Measured, IPreparedPrediction Prediction)
{
    /// <summary>Device profile id, for per-device statistics.</summary>
    public string Hardware { get; init; } = "";

    /// <summary>Metric name, for per-metric statistics.</summary>
    public string Metric { get; init; } = "";
}
