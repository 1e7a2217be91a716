namespace XQuant.Sim.Studies.Published;

/// <summary>One row's score: the measured value, both tiers' predictions and errors (predicted / measured - 1), and its status.</summary>
public sealed record ScoredRow(PublishedRow Row, double PredictedDatasheet, double PredictedFitted, string FittedEntry, string Status)
{
    public bool IsScored => Status == Resolution.Scored;

    public double ErrorDatasheetPct => IsScored ? (PredictedDatasheet / Row.Value - 1) * 100 : double.NaN;

    public double ErrorFittedPct => IsScored ? (PredictedFitted / Row.Value - 1) * 100 : double.NaN;

    /// <summary>
    /// The measured run beat the datasheet roofline (more tokens/s, or less time, than every roof allows). A roofline
    /// is an upper bound, so this says an assumption of the setup is wrong (an unstated KV dtype, the memory reserve).
    /// </summary>
    public bool BeatsDatasheet => IsScored && (IsRate(Row.Metric) ? Row.Value > PredictedDatasheet : Row.Value < PredictedDatasheet);

    /// <summary>Rates (higher is faster) as opposed to times.</summary>
    public static bool IsRate(PublishedMetric m) =>
        m is PublishedMetric.OutputTokPerSec or PublishedMetric.OutputTokPerSecPerDevice or PublishedMetric.DecodeTokPerSecPerUser;
}
