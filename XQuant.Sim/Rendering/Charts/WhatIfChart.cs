using ScottPlot;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Studies.WhatIf;

namespace XQuant.Sim.Rendering.Charts;

/// <summary>
/// The what-if heatmaps over DRAM bandwidth (x, log) and BF16 peak (y, log) at one SRAM size: the fastest fitting
/// scheme per cell (colour per scheme, grey: nothing fits), or XQuant's step time over KIVI*'s (blue below 1, red
/// above); the shipped devices are labelled points.
/// </summary>
public static class WhatIfChart
{
    public const int Width = 1100;
    public const int Height = 800;

    public static Plot Create(WhatIfResult result, double? sram, bool ratio)
    {
        ArgumentNullException.ThrowIfNull(result);
        var r = result.Request;
        var cells = result.Cells.Where(c => c.SramBytes == sram).ToList();
        string sramText = sram is null ? $"SRAM as {r.Base.Id}" : $"SRAM {Formats.Bytes(sram.Value)}";
        string what = ratio
            ? $"{r.Schemes[result.XQuantIndex].Spec} step / {r.Schemes[result.KiviIndex].Spec} step"
            : "fastest scheme that fits";
        var plot = ChartStyle.NewPlot(
            $"What-if ({what}): {r.Model.Id}, batch {Formats.Int(r.Batch)}, context {Formats.Int(r.ContextTokens)}, base {r.Base.Id}, {sramText}",
            "DRAM bandwidth (bytes/s, log)",
            "dense BF16 peak (FLOP/s, log)");
        double bx = (Math.Log10(r.BandwidthHi) - Math.Log10(r.BandwidthLo)) / Math.Max(r.Points - 1, 1) / 2;
        double by = (Math.Log10(r.PeakHi) - Math.Log10(r.PeakLo)) / Math.Max(r.Points - 1, 1) / 2;
        foreach (var c in cells)
        {
            double x = Math.Log10(c.BandwidthBytesPerSec), y = Math.Log10(c.PeakFlopsPerSec);
            var rect = plot.Add.Rectangle(x - bx, x + bx, y - by, y + by);
            rect.FillColor = ratio ? RatioColor(c.XQuantOverKivi) : c.Best < 0 ? Color.FromHex("#cccccc") : ChartStyle.ForScheme(c.Best).WithAlpha(0.75);
            rect.LineWidth = 0;
            if (ratio && !double.IsNaN(c.XQuantOverKivi))
            {
                var t = plot.Add.Text(c.XQuantOverKivi.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture), x, y);
                ChartStyle.Font(t, 9, Colors.Black);
                t.LabelAlignment = Alignment.MiddleCenter;
            }
        }
        if (!ratio)
        {
            for (int i = 0; i < r.Schemes.Count; i++)
            {
                plot.Legend.ManualItems.Add(new LegendItem { LabelText = r.Schemes[i].Spec, FillColor = ChartStyle.ForScheme(i) });
            }
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = "nothing fits", FillColor = Color.FromHex("#cccccc") });
            plot.ShowLegend(Alignment.UpperLeft);
        }
        foreach (var hw in r.Shipped)
        {
            double? peak = hw.Peak(Domain.Hardware.DType.Bf16);
            double bw = hw.DramBandwidthBytesPerSec;
            if (peak is null || bw < r.BandwidthLo || bw > r.BandwidthHi || peak < r.PeakLo || peak > r.PeakHi)
            {
                continue;
            }
            plot.Add.Marker(Math.Log10(bw), Math.Log10(peak.Value), MarkerShape.FilledCircle, 8, Colors.Black);
            var label = plot.Add.Text(hw.Id, Math.Log10(bw), Math.Log10(peak.Value));
            ChartStyle.Font(label, 10, Colors.Black);
            label.LabelAlignment = Alignment.LowerLeft;
            label.OffsetX = 5;
        }
        plot.Axes.Bottom.TickGenerator = LogAxis.Decades((int)Math.Floor(Math.Log10(r.BandwidthLo)), (int)Math.Ceiling(Math.Log10(r.BandwidthHi)), v => v.ToString("0e0", System.Globalization.CultureInfo.InvariantCulture));
        plot.Axes.Left.TickGenerator = LogAxis.Decades((int)Math.Floor(Math.Log10(r.PeakLo)), (int)Math.Ceiling(Math.Log10(r.PeakHi)), v => v.ToString("0e0", System.Globalization.CultureInfo.InvariantCulture));
        plot.Axes.SetLimits(Math.Log10(r.BandwidthLo) - bx, Math.Log10(r.BandwidthHi) + bx, Math.Log10(r.PeakLo) - by, Math.Log10(r.PeakHi) + by);
        return plot;
    }

    /// <summary>Blue where XQuant is faster (ratio below 1), red where slower, white at 1; grey where either does not fit.</summary>
    private static Color RatioColor(double ratio)
    {
        if (double.IsNaN(ratio))
        {
            return Color.FromHex("#cccccc");
        }
        double t = Math.Clamp(Math.Log2(ratio) / 2, -1, 1);
        byte Mix(double a, double b) => (byte)Math.Round(a + ((b - a) * Math.Abs(t)));
        return t < 0 ? new Color(Mix(255, 60), Mix(255, 110), Mix(255, 220)) : new Color(Mix(255, 220), Mix(255, 60), Mix(255, 50));
    }
}
