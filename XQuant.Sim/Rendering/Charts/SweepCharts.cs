using System.Globalization;
using ScottPlot;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Foundation.Text;

namespace XQuant.Sim.Rendering.Charts;

/// <summary>
/// The sweep pictures: time per output token vs context, memory vs context with the device capacities, throughput
/// vs batch up to the largest batch that fits, and capacity bars. Each reads finished <see cref="CaseResult"/>s.
/// Scheme colours follow <paramref name="schemeOrder"/> so one scheme looks the same in every chart of a report.
/// </summary>
public static class SweepCharts
{
    /// <summary>Decode step time (overlapped form) against context, one line per scheme, for one device and batch.</summary>
    public static Plot Latency(IReadOnlyList<CaseResult> cases, IReadOnlyList<string> schemeOrder)
    {
        var w0 = One(cases).Workload;
        var plot = ChartStyle.NewPlot(
            $"Time per output token vs context: {w0.Model.Id} on {w0.Hardware.Id}, batch {Int(w0.Batch)}",
            "context (cached tokens per sequence, log scale)",
            "time per output token (ms, overlapped form, log scale)");
        // Log y: schemes differ by 10-100x at long contexts (remat), and a linear axis flattens the fast ones.
        double maxY = double.NegativeInfinity, minY = double.PositiveInfinity;
        bool anyMissing = false;
        foreach (var (scheme, index, list) in BySchemes(cases, schemeOrder))
        {
            var pts = list.OrderBy(c => c.Workload.ContextTokens).ToList();
            double[] xs = pts.Select(c => Math.Log2(c.Workload.ContextTokens)).ToArray();
            double[] ys = pts.Select(c => Math.Log10(c.PerTokenOverlappedSec * 1e3)).ToArray();
            var line = plot.Add.ScatterLine(xs, ys, ChartStyle.ForScheme(index));
            line.LineWidth = 2.5f;
            line.MarkerSize = 6;
            line.LegendText = scheme;
            maxY = Math.Max(maxY, ys.Max());
            minY = Math.Min(minY, ys.Min());
            var missing = pts.Where(c => !c.Capacity.Fits).ToList();
            if (missing.Count > 0)
            {
                anyMissing = true;
                var x = plot.Add.Markers(missing.Select(c => Math.Log2(c.Workload.ContextTokens)).ToArray(), missing.Select(c => Math.Log10(c.PerTokenOverlappedSec * 1e3)).ToArray(), MarkerShape.Eks, 11, Colors.Red);
                x.MarkerLineWidth = 2;
            }
        }
        if (anyMissing)
        {
            var legend = plot.Add.Marker(double.NaN, double.NaN, MarkerShape.Eks, 11, Colors.Red);
            legend.MarkerLineWidth = 2;
            legend.LegendText = "does not fit in device memory";
        }
        ContextAxis(plot, cases);
        int y0 = (int)Math.Floor(minY), y1 = Math.Max(y0 + 1, (int)Math.Ceiling(maxY + 0.05));
        LogAxis.Apply(plot.Axes.Left, LogAxis.Decades(y0, y1, LogAxis.Si), minY - 0.1, maxY + 0.15);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>
    /// Weights + cache + activations against context, one line per scheme, with each device's usable memory
    /// (capacity minus the runtime reserve) as a horizontal line. The footprint does not depend on the device.
    /// </summary>
    public static Plot Memory(IReadOnlyList<CaseResult> cases, IReadOnlyList<string> schemeOrder)
    {
        var first = cases[0].Workload;
        var oneDevice = cases.Where(c => c.Workload.Hardware.Id == first.Hardware.Id).ToList();
        var plot = ChartStyle.NewPlot(
            $"Memory vs context: {first.Model.Id}, {first.Weights.Name()} weights, batch {Int(first.Batch)}",
            "context (cached tokens per sequence, log scale)",
            "weights + cache + activations (GB, 1e9 bytes)");
        double maxY = 0;
        foreach (var (scheme, index, list) in BySchemes(oneDevice, schemeOrder))
        {
            var pts = list.OrderBy(c => c.Workload.ContextTokens).ToList();
            double[] xs = pts.Select(c => Math.Log2(c.Workload.ContextTokens)).ToArray();
            double[] ys = pts.Select(c => (c.Capacity.WeightBytes + c.Capacity.CacheBytes + c.Capacity.ActivationBytes) / 1e9).ToArray();
            var line = plot.Add.ScatterLine(xs, ys, ChartStyle.ForScheme(index));
            line.LineWidth = 2.5f;
            line.MarkerSize = 6;
            line.LegendText = scheme;
            maxY = Math.Max(maxY, ys.Max());
        }
        var limits = cases
            .GroupBy(c => c.Workload.Hardware.Id, StringComparer.Ordinal)
            .Select(g => (Id: g.Key, Gb: (g.First().Capacity.DeviceBytes - g.First().Capacity.ReserveBytes) / 1e9))
            .GroupBy(d => Math.Round(d.Gb, 1))
            .Select(g => (Ids: string.Join(", ", g.Select(d => d.Id)), Gb: g.Key))
            .OrderBy(d => d.Gb)
            .ToList();
        double xMax = Math.Log2(cases.Max(c => c.Workload.ContextTokens));
        foreach (var (ids, gb) in limits)
        {
            var h = plot.Add.HorizontalLine(gb, 1.5f, Color.FromHex("#444444"), LinePattern.Dashed);
            h.ExcludeFromLegend = true;
            var t = plot.Add.Text($"{ids}: {Formats.Sig(gb, 3)} GB usable", xMax, gb);
            ChartStyle.Font(t, 10, Color.FromHex("#333333"));
            t.LabelAlignment = Alignment.LowerRight;
            t.LabelOffsetY = -2;
            t.LabelBackgroundColor = Colors.White;
        }
        var legend = plot.Add.HorizontalLine(double.NaN, 1.5f, Color.FromHex("#444444"), LinePattern.Dashed);
        legend.LegendText = $"device memory minus {Formats.Fixed(first.RuntimeReserveFraction * 100, 0)}% runtime reserve";
        ContextAxis(plot, oneDevice);
        plot.Axes.SetLimitsY(0, Math.Max(maxY, limits.Count > 0 ? limits.Max(l => l.Gb) : 0) * 1.1);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>Decode tokens/s against batch at one context, one line per scheme, ending at the largest batch that fits.</summary>
    public static Plot Throughput(IReadOnlyList<CaseResult> cases, IReadOnlyList<string> schemeOrder)
    {
        var w0 = One(cases).Workload;
        var plot = ChartStyle.NewPlot(
            $"Throughput vs batch: {w0.Model.Id} on {w0.Hardware.Id}, context {Int(w0.ContextTokens)}",
            "batch (sequences decoded together, log scale)",
            "decode tokens/s over the batch (overlapped form, log scale)");
        var allX = new List<double>();
        var allY = new List<double>();
        foreach (var (scheme, index, list) in BySchemes(cases, schemeOrder))
        {
            var pts = list.Where(c => c.Capacity.Fits).OrderBy(c => c.Workload.Batch)
                .Select(c => (B: c.Workload.Batch, T: c.TokensPerSecOverlapped)).ToList();
            var atMax = list.FirstOrDefault(c => c.OverlappedSecAtMaxBatch is not null);
            if (atMax is not null && pts.All(p => p.B != atMax.Capacity.MaxBatchAtContext))
            {
                pts.Add((atMax.Capacity.MaxBatchAtContext, atMax.TokensPerSecAtMaxBatch));
            }
            pts = pts.Where(p => p.T > 0).OrderBy(p => p.B).ToList();
            if (pts.Count == 0)
            {
                var none = plot.Add.Marker(double.NaN, double.NaN, MarkerShape.FilledCircle, 8, ChartStyle.ForScheme(index));
                none.LegendText = scheme + " (batch 1 does not fit)";
                continue;
            }
            double[] xs = pts.Select(p => Math.Log2(p.B)).ToArray();
            double[] ys = pts.Select(p => Math.Log10(p.T)).ToArray();
            var line = plot.Add.ScatterLine(xs, ys, ChartStyle.ForScheme(index));
            line.LineWidth = 2.5f;
            line.MarkerSize = 6;
            line.LegendText = scheme;
            if (atMax is not null)
            {
                var end = plot.Add.Marker(Math.Log2(atMax.Capacity.MaxBatchAtContext), Math.Log10(atMax.TokensPerSecAtMaxBatch), MarkerShape.FilledSquare, 10, ChartStyle.ForScheme(index));
                end.MarkerLineColor = Colors.Black;
                end.MarkerLineWidth = 1;
            }
            allX.AddRange(xs);
            allY.AddRange(ys);
        }
        var endLegend = plot.Add.Marker(double.NaN, double.NaN, MarkerShape.FilledSquare, 10, ChartStyle.Shared);
        endLegend.LegendText = "largest batch that fits (capacity limit)";
        if (allX.Count > 0)
        {
            int x0 = (int)Math.Floor(allX.Min()), x1 = Math.Max(x0 + 1, (int)Math.Ceiling(allX.Max()));
            LogAxis.Apply(plot.Axes.Bottom, LogAxis.Binary(x0, x1), x0 - 0.3, x1 + 0.3);
            int y0 = (int)Math.Floor(allY.Min()), y1 = Math.Max(y0 + 1, (int)Math.Ceiling(allY.Max() + 0.05));
            LogAxis.Apply(plot.Axes.Left, LogAxis.Decades(y0, y1, LogAxis.Si), y0, y1 + 0.05);
        }
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>Largest batch that fits, per device (groups) and scheme (bars), at one context.</summary>
    public static Plot Capacity(IReadOnlyList<CaseResult> cases, IReadOnlyList<string> schemeOrder)
    {
        var w0 = cases[0].Workload;
        var plot = ChartStyle.NewPlot(
            $"Capacity: largest batch that fits at context {Int(w0.ContextTokens)} ({w0.Model.Id}, {w0.Weights.Name()} weights)",
            "device",
            "largest batch (sequences)");
        var devices = cases.Select(c => c.Workload.Hardware.Id).Distinct(StringComparer.Ordinal).ToList();
        var schemes = schemeOrder.Where(s => cases.Any(c => c.Workload.Scheme.Spec == s)).ToList();
        int n = schemes.Count;
        double max = 0;
        foreach (string scheme in schemes)
        {
            int si = schemeOrder.ToList().IndexOf(scheme);
            int k = schemes.IndexOf(scheme);
            var bars = new List<Bar>();
            for (int d = 0; d < devices.Count; d++)
            {
                var c = cases.FirstOrDefault(x => x.Workload.Hardware.Id == devices[d] && x.Workload.Scheme.Spec == scheme);
                if (c is null)
                {
                    continue;
                }
                double v = c.Capacity.MaxBatchAtContext;
                max = Math.Max(max, v);
                bars.Add(new Bar
                {
                    Position = d * (n + 1) + k,
                    Value = v,
                    FillColor = ChartStyle.ForScheme(si),
                    LineWidth = 0,
                    Label = Int(v),
                    Size = 0.9,
                });
            }
            var bp = plot.Add.Bars(bars);
            bp.LegendText = scheme;
            bp.Color = ChartStyle.ForScheme(si);
            bp.ValueLabelStyle.FontName = ChartStyle.FontName;
            bp.ValueLabelStyle.FontSize = n > 5 ? 8 : 10;
        }
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int d = 0; d < devices.Count; d++)
        {
            ticks.AddMajor(d * (n + 1) + (n - 1) / 2.0, devices[d]);
        }
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.SetLimits(-1, devices.Count * (n + 1) - 1, 0, Math.Max(1, max) * 1.15);
        plot.Grid.XAxisStyle.IsVisible = false;
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    private static CaseResult One(IReadOnlyList<CaseResult> cases) =>
        cases.Count > 0 ? cases[0] : throw new ArgumentException("a chart needs at least one case", nameof(cases));

    private static IEnumerable<(string Scheme, int Index, List<CaseResult> Cases)> BySchemes(IReadOnlyList<CaseResult> cases, IReadOnlyList<string> order)
    {
        for (int i = 0; i < order.Count; i++)
        {
            var list = cases.Where(c => c.Workload.Scheme.Spec == order[i]).ToList();
            if (list.Count > 0)
            {
                yield return (order[i], i, list);
            }
        }
    }

    private static void ContextAxis(Plot plot, IReadOnlyList<CaseResult> cases)
    {
        int x0 = (int)Math.Floor(Math.Log2(cases.Min(c => c.Workload.ContextTokens)));
        int x1 = (int)Math.Ceiling(Math.Log2(cases.Max(c => c.Workload.ContextTokens)));
        x1 = Math.Max(x1, x0 + 1);
        LogAxis.Apply(plot.Axes.Bottom, LogAxis.Binary(x0, x1), x0 - 0.2, x1 + 0.2);
    }

    private static string Int(double v) => v.ToString("0", CultureInfo.InvariantCulture);
}
