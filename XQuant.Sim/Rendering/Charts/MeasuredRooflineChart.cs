using ScottPlot;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Foundation.Text;

namespace XQuant.Sim.Rendering.Charts;

/// <summary>One validated case: its FLOPs and DRAM bytes, the measured time and the calibrated prediction.</summary>
public sealed record MeasuredPoint(string Label, string Class, double Flops, double DramBytes, double MeasuredSec, double PredictedSec);

/// <summary>
/// The roofline of a calibrated profile with measured points overlaid: filled markers are what the kernels and
/// decode steps achieved (FLOPs / measured time), hollow markers what the calibrated model predicted, joined by a
/// line. Points far below their roof are instruction-bound, not bandwidth- or FLOP-bound.
/// </summary>
public static class MeasuredRooflineChart
{
    public const int Width = 1100;
    public const int Height = 720;

    public static Plot Create(HardwareProfile hw, IReadOnlyList<MeasuredPoint> points, string title)
    {
        var plot = ChartStyle.NewPlot(title, "arithmetic intensity (FLOP per DRAM byte, log scale)", "achieved FLOP/s (log scale)");
        double bw = hw.DramBandwidthBytesPerSec;
        double peak = hw.PeakFlopsPerSec.Values.DefaultIfEmpty(bw).Max();
        var usable = points.Where(p => p.Flops > 0 && p.DramBytes > 0 && p.MeasuredSec > 0 && p.PredictedSec > 0).ToList();
        double Ai(MeasuredPoint p) => Math.Log10(p.Flops / p.DramBytes);
        double x0 = Math.Floor(Math.Min(usable.Select(Ai).DefaultIfEmpty(0).Min(), Math.Log10(peak / bw)) - 0.5);
        double x1 = Math.Ceiling(Math.Max(usable.Select(Ai).DefaultIfEmpty(2).Max(), Math.Log10(peak / bw)) + 0.5);
        var perf = usable.SelectMany(p => new[] { p.Flops / p.MeasuredSec, p.Flops / p.PredictedSec }).DefaultIfEmpty(peak).ToList();
        double y0 = Math.Floor(Math.Log10(Math.Min(perf.Min(), bw * Math.Pow(10, x0))));
        double y1 = Math.Log10(peak) + 0.4;

        var dram = plot.Add.ScatterLine(new[] { x0, Math.Log10(peak / bw) }, new[] { Math.Log10(bw) + x0, Math.Log10(peak) }, ChartStyle.Roof);
        dram.LineWidth = 2.5f;
        dram.MarkerSize = 0;
        dram.LegendText = $"DRAM roof ({Formats.Sig(bw / 1e9, 3)} GB/s, {hw.Provenance.Name()})";
        var roof = plot.Add.ScatterLine(new[] { Math.Log10(peak / bw), x1 }, new[] { Math.Log10(peak), Math.Log10(peak) }, ChartStyle.Roof);
        roof.LineWidth = 2;
        roof.MarkerSize = 0;
        roof.LegendText = $"compute roof ({Formats.Sig(peak / 1e9, 3)} GFLOP/s, {hw.Provenance.Name()})";
        var classes = usable.Select(p => p.Class).Distinct(StringComparer.Ordinal).ToList();
        foreach (var p in usable)
        {
            var color = ChartStyle.ForScheme(classes.IndexOf(p.Class));
            double x = Ai(p), ym = Math.Log10(p.Flops / p.MeasuredSec), yp = Math.Log10(p.Flops / p.PredictedSec);
            var link = plot.Add.Line(x, yp, x, ym);
            link.LineColor = color.WithAlpha(0.5);
            link.LineWidth = 1;
            link.MarkerSize = 0;
            plot.Add.Marker(x, yp, MarkerShape.OpenCircle, 9, color);
            plot.Add.Marker(x, ym, MarkerShape.FilledCircle, 9, color);
        }
        foreach (string c in classes)
        {
            var m = plot.Add.Marker(double.NaN, double.NaN, MarkerShape.FilledCircle, 9, ChartStyle.ForScheme(classes.IndexOf(c)));
            m.LegendText = c;
        }
        var hollow = plot.Add.Marker(double.NaN, double.NaN, MarkerShape.OpenCircle, 9, ChartStyle.Shared);
        hollow.LegendText = "predicted (calibrated model); filled = measured";
        LogAxis.Apply(plot.Axes.Bottom, LogAxis.Decades((int)x0, (int)x1, LogAxis.Si), x0, x1);
        LogAxis.Apply(plot.Axes.Left, LogAxis.Decades((int)y0, (int)Math.Floor(y1), LogAxis.Si), y0, y1);
        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }
}
