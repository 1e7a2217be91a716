using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;

namespace XQuant.Sim.Studies.Published;

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
