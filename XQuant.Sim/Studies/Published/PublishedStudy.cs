using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Hardware;
using XQuant.Sim.Models;

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

/// <summary>
/// Scores published rows: resolve each against the profiles and model configs, prepare its prediction once, then
/// evaluate it at the datasheet tier and under the engine-efficiency entry of its engine. Pure: inputs are passed in.
/// </summary>
public static class PublishedStudy
{
    public static IReadOnlyList<PreparedRow> Prepare(
        IReadOnlyList<PublishedRow> rows,
        IReadOnlyDictionary<string, HardwareProfile> profiles,
        IReadOnlyDictionary<string, ModelConfig> models,
        IPublishedPredictor predictor)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(predictor);
        var prepared = new List<PreparedRow>();
        foreach (var row in rows)
        {
            var r = PublishedResolver.Resolve(row, profiles, models);
            if (r.Case is null)
            {
                prepared.Add(new PreparedRow(row, null, null, r.Status));
                continue;
            }
            var p = predictor.Prepare(r.Case);
            prepared.Add(new PreparedRow(row, r.Case, p.Prediction, p.Status));
        }
        return prepared;
    }

    public static IReadOnlyList<FitPoint> FitPoints(IEnumerable<PreparedRow> prepared) =>
        prepared.Where(p => p.IsScored).Select(p => new FitPoint(p.Row.Id, p.Row.Engine, p.Vendor, p.Row.Value, p.Prediction!) { Hardware = p.Row.Hardware, Metric = p.Row.Metric.Name() }).ToList();

    public static IReadOnlyList<ScoredRow> Score(IReadOnlyList<PreparedRow> prepared, EngineEfficiencySet efficiency)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(efficiency);
        var scored = new List<ScoredRow>();
        foreach (var p in prepared)
        {
            if (p.Prediction is null)
            {
                scored.Add(new ScoredRow(p.Row, double.NaN, double.NaN, "", p.Status));
                continue;
            }
            var e = efficiency.For(p.Row.Engine, p.Vendor);
            scored.Add(new ScoredRow(p.Row, p.Prediction.Predict(EngineEfficiency.Datasheet), p.Prediction.Predict(e), e.Label, p.Status));
        }
        return scored;
    }
}
