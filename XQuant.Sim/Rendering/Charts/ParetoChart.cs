using ScottPlot;
using ScottPlot.TickGenerators;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Studies.Quality;
using XQuant.Sim.Foundation.Text;

namespace XQuant.Sim.Rendering.Charts;

/// <summary>
/// Memory (x, log) against perplexity increase (y, log; increases at or below 0.01 sit on the bottom line), one
/// marker per scheme coloured by family. Non-dominated schemes are filled and their labels carry the time per
/// token, the third axis: a point can be on the front for being fast although another has less memory and error.
/// </summary>
public static class ParetoChart
{
    public const int Width = 1100;
    public const int Height = 700;
    private const double MinDelta = 0.01;
    private static readonly PixelPadding Pad = new(left: 90, right: 30, bottom: 60, top: 50);

    public static Plot Create(ParetoStudy study)
    {
        var plot = ChartStyle.NewPlot(
            $"Memory x error x time: {study.Model.Id} on {study.Hardware.Id} ({study.Hardware.Provenance.Name()}), batch {Formats.Int(study.Batch)}, context {Formats.Int(study.ContextTokens)}",
            "cache size / FP16 KV cache (paper convention, log scale)",
            $"perplexity increase over FP16 ({study.Dataset}, paper; log scale)");
        plot.Layout.Fixed(Pad);
        var families = study.Points.Select(p => Family(p.Label)).Distinct(StringComparer.Ordinal).ToList();
        double x0 = Math.Log10(study.Points.Min(p => p.NormalizedSize)) - 0.12, x1 = Math.Log10(study.Points.Max(p => p.NormalizedSize)) + 0.25;
        double y0 = Math.Log10(MinDelta) - 0.25, y1 = Math.Log10(Math.Max(study.Points.Max(p => p.PerplexityDelta), 0.1)) + 0.35;
        var data = new PixelBox(Pad.Left, Pad.Top, Width - Pad.Left - Pad.Right, Height - Pad.Top - Pad.Bottom);
        double Px(double lx) => data.Left + (lx - x0) / (x1 - x0) * data.Width;
        double Py(double ly) => data.Top + (y1 - ly) / (y1 - y0) * data.Height;
        double Dx(double px) => x0 + (px - data.Left) / data.Width * (x1 - x0);
        double Dy(double py) => y1 - (py - data.Top) / data.Height * (y1 - y0);

        var legendBox = new PixelBox(data.Right - 330, data.Top + 5, 325, (families.Count + 2) * 20 + 12);
        var obstacles = new List<PixelBox> { legendBox };
        var requests = new List<LabelRequest>();
        var anchors = new List<(double X, double Y)>();
        for (int i = 0; i < study.Points.Count; i++)
        {
            var p = study.Points[i];
            double lx = Math.Log10(p.NormalizedSize), ly = Math.Log10(Math.Max(p.PerplexityDelta, MinDelta));
            int color = families.IndexOf(Family(p.Label));
            bool front = study.Front[i];
            plot.Add.Marker(lx, ly, front ? MarkerShape.FilledCircle : MarkerShape.OpenCircle, front ? 11 : 9, ChartStyle.ForScheme(color));
            obstacles.Add(PixelBox.Around(Px(lx), Py(ly), 6));
            string text = front ? $"{Short(p.Label)} {Formats.Seconds(p.TimePerTokenSec)}" : Short(p.Label);
            requests.Add(new LabelRequest(Px(lx), Py(ly), text, 10) { ColorIndex = color });
            anchors.Add((lx, ly));
        }
        var placed = LabelPlacer.Place(requests, data, obstacles);
        for (int i = 0; i < placed.Count; i++)
        {
            var pl = placed[i];
            if (pl.Far)
            {
                double cx = Math.Clamp(pl.Request.AnchorX, pl.Box.Left, pl.Box.Right);
                double cy = Math.Clamp(pl.Request.AnchorY, pl.Box.Top, pl.Box.Bottom);
                var lead = plot.Add.Line(anchors[i].X, anchors[i].Y, Dx(cx), Dy(cy));
                lead.LineColor = Color.FromHex("#aaaaaa");
                lead.LineWidth = 1;
                lead.MarkerSize = 0;
            }
            var t = plot.Add.Text(pl.Request.Text, Dx(pl.Box.Left), Dy(pl.Box.Top));
            ChartStyle.Font(t, pl.Request.FontSize, ChartStyle.ForScheme(pl.Request.ColorIndex).Darken(0.35));
            t.LabelAlignment = Alignment.UpperLeft;
            t.LabelPadding = (float)LabelPlacer.Padding;
        }
        foreach (string f in families)
        {
            var legend = plot.Add.Marker(double.NaN, double.NaN, MarkerShape.FilledCircle, 9, ChartStyle.ForScheme(families.IndexOf(f)));
            legend.LegendText = f;
        }
        var hollow = plot.Add.Marker(double.NaN, double.NaN, MarkerShape.OpenCircle, 9, ChartStyle.Shared);
        hollow.LegendText = "dominated in memory, time and error";
        var filled = plot.Add.Marker(double.NaN, double.NaN, MarkerShape.FilledCircle, 11, ChartStyle.Shared);
        filled.LegendText = "Pareto front (label: time per token)";

        var xt = new NumericManual();
        foreach (double v in new[] { 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5 })
        {
            if (Math.Log10(v) >= x0 && Math.Log10(v) <= x1)
            {
                xt.AddMajor(Math.Log10(v), ChartStyle.Invariant(v));
            }
        }
        var yt = new NumericManual();
        yt.AddMajor(Math.Log10(MinDelta), "<= 0.01");
        foreach (double v in new[] { 0.03, 0.1, 0.3, 1, 3, 10, 30 })
        {
            if (Math.Log10(v) <= y1)
            {
                yt.AddMajor(Math.Log10(v), ChartStyle.Invariant(v));
            }
        }
        plot.Axes.Bottom.TickGenerator = xt;
        plot.Axes.Left.TickGenerator = yt;
        plot.Axes.SetLimits(x0, x1, y0, y1);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    private static string Family(string label) => label.Split(':')[0];

    /// <summary>Labels without the window option (every paper point has window=0) and without kvquant's sizing note.</summary>
    private static string Short(string label) => label.Replace(",window=0", "", StringComparison.Ordinal).Split(' ')[0];
}
