namespace XQuant.Sim.Studies.Published;

/// <summary>A published row with its prediction, or with the status that says why it has none.</summary>
public sealed record PreparedRow(PublishedRow Row, PublishedCase? Case, IPreparedPrediction? Prediction, string Status)
{
    public bool IsScored => Prediction is not null;

    /// <summary>The device vendor ("NVIDIA", "AMD", ...) or "" when the row has no profile.</summary>
    public string Vendor => Case?.Hardware.Vendor ?? "";
}
