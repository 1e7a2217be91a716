namespace XQuant.Sim.Studies.Published;

/// <summary>Either a prepared prediction or the reason there is none.</summary>
public sealed record Preparation(IPreparedPrediction? Prediction, string Status)
{
    public static Preparation Unsupported(string why) => new(null, $"unsupported: {why}");
}
