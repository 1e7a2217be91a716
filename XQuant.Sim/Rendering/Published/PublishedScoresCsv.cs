using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Studies.Published;

namespace XQuant.Sim.Rendering.Published;

/// <summary>scores.csv: one line per published row, scored or not; cells hold bare numbers (empty where not scored).</summary>
public static class PublishedScoresCsv
{
    public static readonly IReadOnlyList<string> Headers =
    [
        "id", "hardware", "engine", "metric", "measured", "predicted_datasheet", "predicted_fitted", "error_datasheet_pct", "error_fitted_pct", "status",
    ];

    public static string Build(IReadOnlyList<ScoredRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        CsvOutput.Write(text, Headers, rows.Select(r => (IReadOnlyList<string>)
        [
            r.Row.Id, r.Row.Hardware, r.Row.Engine, r.Row.Metric.Name(), Formats.Exact(r.Row.Value),
            Formats.Exact(r.PredictedDatasheet), Formats.Exact(r.PredictedFitted),
            Formats.Exact(Math.Round(r.ErrorDatasheetPct, 3)), Formats.Exact(Math.Round(r.ErrorFittedPct, 3)), r.Status,
        ]));
        return text.ToString();
    }
}
