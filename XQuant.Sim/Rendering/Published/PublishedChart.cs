using ScottPlot;
using XQuant.Sim.Rendering.Charts;
using XQuant.Sim.Studies.Published;

namespace XQuant.Sim.Rendering.Published;

/// <summary>
/// Predicted vs measured, log-log, one point per scored row and tier, the y = x line and a +-25% band. Metrics of
/// different units share the chart: each point is its own ratio, so only the distance from the diagonal matters.
/// </summary>
public static class PublishedChart
{
    public const int Width = 900;
    public const int Height = 820;

    public static Plot Create(IReadOnlyList<ScoredRow> rows, string title)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var plot = ChartStyle.NewPlot(title, "measured (metric units, log scale)", "predicted (same units, log scale)");
        var scored = rows.Where(r => r.IsScored && r.PredictedDatasheet > 0 && r.PredictedFitted > 0).ToList();
        var all = scored.SelectMany(r => new[] { r.Row.Value, r.PredictedDatasheet, r.PredictedFitted }).DefaultIfEmpty(1).ToList();
        double lo = Math.Floor(Math.Log10(all.Min())), hi = Math.Ceiling(Math.Log10(all.Max()));
        if (hi <= lo)
        {
            hi = lo + 1;
        }
        var diagonal = plot.Add.ScatterLine(new[] { lo, hi }, new[] { lo, hi }, ChartStyle.Roof);
        diagonal.LineWidth = 2;
        diagonal.MarkerSize = 0;
        diagonal.LegendText = "y = x";
        foreach (double f in new[] { 1.25, 1 / 1.25 })
        {
            var band = plot.Add.ScatterLine(new[] { lo, hi }, new[] { lo + Math.Log10(f), hi + Math.Log10(f) }, ChartStyle.Shared);
            band.LineWidth = 1;
            band.MarkerSize = 0;
            band.LinePattern = LinePattern.Dashed;
            band.LegendText = f > 1 ? "+-25%" : "";
        }
        var datasheetColor = ChartStyle.ForScheme(0);
        var fittedColor = ChartStyle.ForScheme(1);
        foreach (var r in scored)
        {
            double x = Math.Log10(r.Row.Value);
            var link = plot.Add.Line(x, Math.Log10(r.PredictedDatasheet), x, Math.Log10(r.PredictedFitted));
            link.LineColor = ChartStyle.Shared.WithAlpha(0.4);
            link.LineWidth = 1;
            link.MarkerSize = 0;
            plot.Add.Marker(x, Math.Log10(r.PredictedDatasheet), MarkerShape.OpenCircle, 9, datasheetColor);
            plot.Add.Marker(x, Math.Log10(r.PredictedFitted), MarkerShape.FilledCircle, 8, fittedColor);
        }
        var d = plot.Add.Marker(double.NaN, double.NaN, MarkerShape.OpenCircle, 9, datasheetColor);
        d.LegendText = "datasheet tier";
        var fit = plot.Add.Marker(double.NaN, double.NaN, MarkerShape.FilledCircle, 8, fittedColor);
        fit.LegendText = "engine-fitted tier";
        LogAxis.Apply(plot.Axes.Bottom, LogAxis.Decades((int)lo, (int)hi, LogAxis.Si), lo, hi);
        LogAxis.Apply(plot.Axes.Left, LogAxis.Decades((int)lo, (int)hi, LogAxis.Si), lo, hi);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }
}
