using System.Text.Json.Nodes;
using XQuant.Sim.Studies.Measurement;
using XQuant.Sim.Studies.Published;

namespace XQuant.Sim.Rendering.Json;

/// <summary>
/// xqsim published score --json: every row's prediction at the datasheet and engine-fitted tiers beside the measured
/// value (in the row's metric, whose name carries its unit), errors in percent, and the summary statistics.
/// </summary>
public static class PublishedJson
{
    public static JsonObject Document(ScoreSummary summary, IReadOnlyList<ScoredRow> rows, string efficiencySource)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(rows);
        var doc = JsonDoc.Start("published-score");
        doc["efficiency_source"] = efficiencySource;
        doc["total_rows"] = summary.Total;
        doc["scored_rows"] = summary.Scored;
        doc["datasheet_error_pct"] = Stats(summary.Datasheet);
        doc["fitted_error_pct"] = Stats(summary.Fitted);
        doc["groups"] = new JsonArray([.. summary.Groups.Select(g => (JsonNode?)new JsonObject
        {
            ["dimension"] = g.Dimension,
            ["key"] = g.Key,
            ["rows"] = g.Rows,
            ["datasheet_error_pct"] = Stats(g.Datasheet),
            ["fitted_error_pct"] = Stats(g.Fitted),
        })]);
        doc["rows"] = new JsonArray([.. rows.Select(r => (JsonNode?)new JsonObject
        {
            ["id"] = r.Row.Id,
            ["hardware"] = r.Row.Hardware,
            ["model"] = r.Row.Model,
            ["engine"] = r.Row.Engine,
            ["metric"] = r.Row.Metric.Name(),
            ["measured"] = JsonDoc.Num(r.Row.Value),
            ["predicted_datasheet"] = JsonDoc.Num(r.PredictedDatasheet),
            ["predicted_fitted"] = JsonDoc.Num(r.PredictedFitted),
            ["error_datasheet_pct"] = JsonDoc.Num(r.ErrorDatasheetPct),
            ["error_fitted_pct"] = JsonDoc.Num(r.ErrorFittedPct),
            ["fitted_entry"] = r.FittedEntry,
            ["status"] = r.Status,
            ["source"] = r.Row.Source,
        })]);
        return doc;
    }

    private static JsonObject Stats(ErrorStats s) => new()
    {
        ["count"] = s.Count,
        ["mean_signed"] = JsonDoc.Num(s.MeanSigned),
        ["median_signed"] = JsonDoc.Num(s.MedianSigned),
        ["median_abs"] = JsonDoc.Num(s.MedianAbs),
        ["p90_abs"] = JsonDoc.Num(s.P90Abs),
        ["worst_signed"] = JsonDoc.Num(s.WorstSigned),
    };
}
