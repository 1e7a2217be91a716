using ScottPlot;
using System.Globalization;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Foundation.Text;

namespace XQuant.Sim.Rendering.Charts;

/// <summary>One operator of one scheme on the roofline (or of every scheme, when <see cref="SchemeIndex"/> is -1).</summary>
/// <param name="Intensity">FLOPs per DRAM byte; for ops with no DRAM traffic, FLOPs per on-chip byte (<see cref="OnChipOnly"/>).</param>
/// <param name="FlopsPerSec">FLOPs / roofline time of the op (launch latency excluded).</param>
public sealed record RooflinePoint(string Op, int SchemeIndex, double Intensity, double FlopsPerSec, bool OnChipOnly);

/// <summary>A compute roof: the dense peak of one dtype the ledger uses, and its ridge point against DRAM.</summary>
public sealed record ComputeRoof(DType DType, double PeakFlopsPerSec, double RidgeFlopsPerByte);

/// <summary>Everything the roofline picture shows, in data and pixel space, computed before drawing (and tested).</summary>
public sealed record RooflineLayout(
    string Title,
    IReadOnlyList<string> Schemes,
    IReadOnlyList<RooflinePoint> Points,
    IReadOnlyList<ComputeRoof> Roofs,
    double DramBytesPerSec,
    double? OnChipBytesPerSec,
    string DramKind,
    string? OnChipKind,
    int SkippedOps,
    (double Min, double Max) Log10X,
    (double Min, double Max) Log10Y,
    PixelBox DataArea,
    PixelBox LegendBox,
    IReadOnlyList<PlacedLabel> Labels,
    IReadOnlyList<(double X, double Y)> LabelAnchorsData)
{
    public double PixelX(double log10X) => DataArea.Left + (log10X - Log10X.Min) / (Log10X.Max - Log10X.Min) * DataArea.Width;

    public double PixelY(double log10Y) => DataArea.Top + (Log10Y.Max - log10Y) / (Log10Y.Max - Log10Y.Min) * DataArea.Height;

    public double DataX(double px) => Log10X.Min + (px - DataArea.Left) / DataArea.Width * (Log10X.Max - Log10X.Min);

    public double DataY(double py) => Log10Y.Max - (py - DataArea.Top) / DataArea.Height * (Log10Y.Max - Log10Y.Min);
}

/// <summary>
/// Log-log roofline of one device: DRAM roof, on-chip roof where the profile has an on-chip bandwidth, one compute
/// roof per dtype the ledgers use with its ridge point, and one point per operator and scheme. Reads the
/// <see cref="StepCost"/> of each case; computes no cost.
/// </summary>
public static class RooflineChart
{
    public const int Width = 1100;
    public const int Height = 720;
    private static readonly PixelPadding Pad = new(left: 90, right: 30, bottom: 60, top: 50);
    private const float PointLabelSize = 11;

    /// <summary>Computes points, roofs, axes and label positions for cases of one device and one workload point.</summary>
    public static RooflineLayout Layout(IReadOnlyList<CaseResult> cases, int width = Width, int height = Height)
    {
        if (cases.Count == 0)
        {
            throw new ArgumentException("a roofline needs at least one case", nameof(cases));
        }
        var hw = cases[0].Workload.Hardware;
        if (cases.Any(c => c.Workload.Hardware.Id != hw.Id))
        {
            throw new ArgumentException("a roofline shows one device", nameof(cases));
        }
        var w0 = cases[0].Workload;
        var schemes = cases.Select(c => c.Workload.Scheme.Spec).ToList();
        int skipped = 0;
        var perScheme = new List<List<RooflinePoint>>();
        for (int i = 0; i < cases.Count; i++)
        {
            var list = new List<RooflinePoint>();
            foreach (var op in cases[i].Step.Ops)
            {
                var p = ToPoint(op, i);
                if (p is null)
                {
                    skipped++;
                }
                else
                {
                    list.Add(p);
                }
            }
            perScheme.Add(list);
        }
        var points = MergeShared(perScheme);

        var dtypes = cases.SelectMany(c => c.Step.Ops).Where(o => o.Op.Flops > 0).Select(o => o.Op.DType).Distinct().Order().ToList();
        double bw = hw.DramBandwidthBytesPerSec;
        var roofs = new List<ComputeRoof>();
        foreach (var t in dtypes)
        {
            if (hw.Peak(t) is double peak && roofs.All(r => r.PeakFlopsPerSec != peak))
            {
                roofs.Add(new ComputeRoof(t, peak, peak / bw));
            }
        }
        // A dtype without a rate on this device was timed at another peak by the ledger; that roof is the one drawn.
        roofs = roofs.OrderByDescending(r => r.PeakFlopsPerSec).ToList();

        double minX = Math.Min(points.Count > 0 ? points.Min(p => p.Intensity) : 1, roofs.Count > 0 ? roofs.Min(r => r.RidgeFlopsPerByte) : 1);
        double maxX = Math.Max(points.Count > 0 ? points.Max(p => p.Intensity) : 1, roofs.Count > 0 ? roofs.Max(r => r.RidgeFlopsPerByte) : 1);
        double lx0 = LogAxis.FloorLog10(minX) - 1;
        double lx1 = LogAxis.CeilLog10(maxX) + 1;
        double maxPeak = roofs.Count > 0 ? roofs[0].PeakFlopsPerSec : points.Max(p => p.FlopsPerSec);
        double minY = Math.Min(points.Count > 0 ? points.Min(p => p.FlopsPerSec) : maxPeak, bw * Math.Pow(10, lx0 + 0.5));
        double ly0 = LogAxis.FloorLog10(minY);
        double ly1 = Math.Log10(maxPeak) + 0.45;

        var data = new PixelBox(Pad.Left, Pad.Top, width - Pad.Left - Pad.Right, height - Pad.Top - Pad.Bottom);
        string onChipKind = hw.OnChip?.Kind ?? "";
        double? onChipBw = hw.OnChip?.BandwidthBytesPerSec;
        int legendItems = schemes.Count + (points.Any(p => p.SchemeIndex < 0) ? 1 : 0) + (points.Any(p => p.OnChipOnly) ? 1 : 0)
            + 1 + roofs.Count + (onChipBw is null ? 0 : 1);
        var legendTexts = LegendTexts(schemes, roofs, bw, hw, onChipBw).ToList();
        double legendW = legendTexts.Max(t => t.Length) * 11 * LabelPlacer.CharWidthEm + 50;
        double legendH = legendItems * 11 * 1.75 + 16;
        var legend = new PixelBox(data.Right - legendW - 10, data.Bottom - legendH - 10, legendW, legendH);

        var layout = new RooflineLayout(
            $"Roofline: {w0.Model.Id} {w0.Phase.ToString().ToLowerInvariant()} on {hw.Id} ({hw.Provenance.Name()}), batch {Fmt(w0.Batch)}, context {Fmt(w0.ContextTokens)}",
            schemes, points, roofs, bw, onChipBw, hw.Dram.Kind, hw.OnChip?.Kind, skipped, (lx0, lx1), (ly0, ly1), data, legend, [], []);

        // Obstacles: markers, the legend, and every roof line.
        var obstacles = new List<PixelBox> { legend };
        foreach (var p in points)
        {
            obstacles.Add(PixelBox.Around(layout.PixelX(Math.Log10(p.Intensity)), layout.PixelY(Math.Log10(p.FlopsPerSec)), 6));
        }
        foreach (var seg in RoofSegments(layout))
        {
            obstacles.AddRange(LabelPlacer.AlongSegment(layout.PixelX(seg.X0), layout.PixelY(seg.Y0), layout.PixelX(seg.X1), layout.PixelY(seg.Y1)));
        }

        // Labels: ridge points first (they explain the picture), then op clusters from left to right.
        var requests = new List<LabelRequest>();
        var anchors = new List<(double, double)>();
        foreach (var r in roofs)
        {
            double x = Math.Log10(r.RidgeFlopsPerByte), y = Math.Log10(r.PeakFlopsPerSec);
            requests.Add(new LabelRequest(layout.PixelX(x), layout.PixelY(y), $"{r.DType.Name()} ridge {Sig(r.RidgeFlopsPerByte)} FLOP/B", PointLabelSize));
            anchors.Add((x, y));
        }
        foreach (var cluster in Clusters(points, layout))
        {
            var names = cluster.Select(p => p.Op).Distinct(StringComparer.Ordinal).ToList();
            var first = cluster[0];
            double x = Math.Log10(first.Intensity), y = Math.Log10(first.FlopsPerSec);
            int owner = cluster.All(p => p.SchemeIndex == first.SchemeIndex) ? first.SchemeIndex : -1;
            requests.Add(new LabelRequest(layout.PixelX(x), layout.PixelY(y), Wrap(names, 30), PointLabelSize) { ColorIndex = owner });
            anchors.Add((x, y));
        }
        var placed = LabelPlacer.Place(requests, data, obstacles);
        return layout with { Labels = placed, LabelAnchorsData = anchors };
    }

    public static Plot Build(IReadOnlyList<CaseResult> cases, int width = Width, int height = Height) => Draw(Layout(cases, width, height));

    public static Plot Draw(RooflineLayout l)
    {
        var plot = ChartStyle.NewPlot(l.Title, "arithmetic intensity (FLOP per DRAM byte, log scale)", "attainable performance (FLOP/s, log scale)");
        plot.Layout.Fixed(Pad);

        // Roofs.
        var dram = plot.Add.ScatterLine(
            new[] { l.Log10X.Min, Math.Log10(l.Roofs.Count > 0 ? l.Roofs[0].RidgeFlopsPerByte : Math.Pow(10, l.Log10X.Max)) },
            new[] { Math.Log10(l.DramBytesPerSec) + l.Log10X.Min, Math.Log10(l.Roofs.Count > 0 ? l.Roofs[0].PeakFlopsPerSec : l.DramBytesPerSec * Math.Pow(10, l.Log10X.Max)) },
            ChartStyle.Roof);
        dram.LineWidth = 2.5f;
        dram.MarkerSize = 0;
        dram.LegendText = $"DRAM roof ({l.DramKind}, {Sig(l.DramBytesPerSec / 1e12)} TB/s)";
        if (l.OnChipBytesPerSec is double onChip && l.Roofs.Count > 0)
        {
            double top = Math.Log10(l.Roofs[0].PeakFlopsPerSec);
            double xEnd = top - Math.Log10(onChip);
            var line = plot.Add.ScatterLine(new[] { l.Log10X.Min, xEnd }, new[] { Math.Log10(onChip) + l.Log10X.Min, top }, Color.FromHex("#8c564b"));
            line.LineWidth = 2;
            line.LinePattern = LinePattern.Dashed;
            line.MarkerSize = 0;
            line.LegendText = $"on-chip roof ({l.OnChipKind}, {Sig(onChip / 1e12)} TB/s)";
        }
        LinePattern[] patterns = [LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed];
        for (int i = 0; i < l.Roofs.Count; i++)
        {
            var r = l.Roofs[i];
            double y = Math.Log10(r.PeakFlopsPerSec);
            double x = Math.Log10(r.RidgeFlopsPerByte);
            var roof = plot.Add.ScatterLine(new[] { x, l.Log10X.Max }, new[] { y, y }, ChartStyle.Roof);
            roof.LineWidth = 2;
            roof.LinePattern = patterns[i % patterns.Length];
            roof.MarkerSize = 0;
            roof.LegendText = $"{r.DType.Name()} compute roof ({Sig(r.PeakFlopsPerSec / 1e12)} TFLOP/s dense)";
            var ridge = plot.Add.Marker(x, y, MarkerShape.FilledDiamond, 11, ChartStyle.Roof);
            ridge.LegendText = "";
        }

        // Points: shared ops grey; per-scheme ops in the scheme colour, concentric where schemes coincide.
        var byPosition = l.Points.GroupBy(p => (Math.Round(Math.Log10(p.Intensity), 6), Math.Round(Math.Log10(p.FlopsPerSec), 6)));
        var legendDone = new HashSet<int>();
        foreach (var group in byPosition)
        {
            var ordered = group.OrderBy(p => p.SchemeIndex).ToList();
            for (int k = 0; k < ordered.Count; k++)
            {
                var p = ordered[k];
                var color = p.SchemeIndex < 0 ? ChartStyle.Shared : ChartStyle.ForScheme(p.SchemeIndex);
                float size = Math.Max(5, 13 - 3 * k);
                var m = plot.Add.Marker(Math.Log10(p.Intensity), Math.Log10(p.FlopsPerSec), p.OnChipOnly ? MarkerShape.OpenCircle : MarkerShape.FilledCircle, size, color);
                m.MarkerLineWidth = 2;
                legendDone.Add(p.SchemeIndex);
            }
        }
        // Legend entries from invisible markers of one size (data markers shrink where schemes coincide).
        if (legendDone.Contains(-1))
        {
            var m = plot.Add.Marker(double.NaN, double.NaN, MarkerShape.FilledCircle, 10, ChartStyle.Shared);
            m.LegendText = "op shared by every scheme";
        }
        for (int i = 0; i < l.Schemes.Count; i++)
        {
            var m = plot.Add.Marker(double.NaN, double.NaN, MarkerShape.FilledCircle, 10, ChartStyle.ForScheme(i));
            m.LegendText = legendDone.Contains(i) ? l.Schemes[i] : l.Schemes[i] + " (no own ops)";
        }
        if (l.Points.Any(p => p.OnChipOnly))
        {
            var m = plot.Add.Marker(double.NaN, double.NaN, MarkerShape.OpenCircle, 10, ChartStyle.Shared);
            m.MarkerLineWidth = 2;
            m.LegendText = "open: no DRAM traffic (x = FLOP per on-chip byte)";
        }

        // Labels with leader lines where they had to move away from their point.
        for (int i = 0; i < l.Labels.Count; i++)
        {
            var pl = l.Labels[i];
            if (pl.Far)
            {
                double cx = Math.Clamp(pl.Request.AnchorX, pl.Box.Left, pl.Box.Right);
                double cy = Math.Clamp(pl.Request.AnchorY, pl.Box.Top, pl.Box.Bottom);
                var lead = plot.Add.Line(l.LabelAnchorsData[i].X, l.LabelAnchorsData[i].Y, l.DataX(cx), l.DataY(cy));
                lead.LineColor = Color.FromHex("#999999");
                lead.LineWidth = 1;
                lead.MarkerSize = 0;
            }
            var text = plot.Add.Text(pl.Request.Text, l.DataX(pl.Box.Left), l.DataY(pl.Box.Top));
            ChartStyle.Font(text, pl.Request.FontSize, pl.Request.ColorIndex >= 0 ? ChartStyle.ForScheme(pl.Request.ColorIndex).Darken(0.35) : Color.FromHex("#202020"));
            text.LabelAlignment = Alignment.UpperLeft;
            text.LabelPadding = (float)LabelPlacer.Padding;
            text.LabelBackgroundColor = Colors.White.WithAlpha(0.85);
        }

        LogAxis.Apply(plot.Axes.Bottom, LogAxis.Decades((int)l.Log10X.Min, (int)l.Log10X.Max, LogAxis.Si), l.Log10X.Min, l.Log10X.Max);
        LogAxis.Apply(plot.Axes.Left, LogAxis.Decades((int)l.Log10Y.Min, (int)Math.Floor(l.Log10Y.Max), LogAxis.Si), l.Log10Y.Min, l.Log10Y.Max);
        plot.Legend.Alignment = Alignment.LowerRight;
        plot.ShowLegend(Alignment.LowerRight);
        if (l.SkippedOps > 0)
        {
            var note = plot.Add.Text($"not shown: {l.SkippedOps} op entries with no FLOPs or no bytes", l.Log10X.Min, l.Log10Y.Max);
            ChartStyle.Font(note, 10, Color.FromHex("#555555"));
            note.LabelAlignment = Alignment.UpperLeft;
            note.LabelOffsetX = 4;
            note.LabelOffsetY = 4;
        }
        return plot;
    }

    private static RooflinePoint? ToPoint(OpTiming op, int scheme)
    {
        double time = Math.Max(op.ComputeSec, op.MemorySec);
        if (op.Op.Flops <= 0 || time <= 0)
        {
            return null;
        }
        if (op.Op.DramBytes > 0)
        {
            return new RooflinePoint(op.Op.Name, scheme, op.Op.Flops / op.Op.DramBytes, op.Op.Flops / time, false);
        }
        if (op.Op.OnChipBytes > 0)
        {
            return new RooflinePoint(op.Op.Name, scheme, op.Op.Flops / op.Op.OnChipBytes, op.Op.Flops / time, true);
        }
        return null;
    }

    /// <summary>An op at the same spot for every scheme (the weight GEMMs, norms) is drawn once, in grey.</summary>
    private static List<RooflinePoint> MergeShared(List<List<RooflinePoint>> perScheme)
    {
        var result = new List<RooflinePoint>();
        if (perScheme.Count == 0)
        {
            return result;
        }
        static bool Same(RooflinePoint a, RooflinePoint b) =>
            a.Op == b.Op && a.OnChipOnly == b.OnChipOnly
            && Math.Abs(a.Intensity - b.Intensity) <= 1e-9 * Math.Abs(a.Intensity)
            && Math.Abs(a.FlopsPerSec - b.FlopsPerSec) <= 1e-9 * Math.Abs(a.FlopsPerSec);
        var shared = perScheme.Count > 1
            ? perScheme[0].Where(p => perScheme.Skip(1).All(list => list.Any(q => Same(p, q)))).ToList()
            : [];
        result.AddRange(shared.Select(p => p with { SchemeIndex = -1 }));
        foreach (var list in perScheme)
        {
            result.AddRange(list.Where(p => !shared.Any(s => Same(s, p))));
        }
        return result;
    }

    /// <summary>Points within a few pixels of each other share one label.</summary>
    private static List<List<RooflinePoint>> Clusters(IReadOnlyList<RooflinePoint> points, RooflineLayout l)
    {
        var clusters = new List<(double X, double Y, List<RooflinePoint> Items)>();
        foreach (var p in points.OrderBy(p => p.Intensity).ThenByDescending(p => p.FlopsPerSec).ThenBy(p => p.SchemeIndex).ThenBy(p => p.Op, StringComparer.Ordinal))
        {
            double x = l.PixelX(Math.Log10(p.Intensity)), y = l.PixelY(Math.Log10(p.FlopsPerSec));
            int hit = clusters.FindIndex(c => Math.Abs(c.X - x) < 5 && Math.Abs(c.Y - y) < 5);
            if (hit >= 0)
            {
                clusters[hit].Items.Add(p);
            }
            else
            {
                clusters.Add((x, y, [p]));
            }
        }
        return clusters.Select(c => c.Items).ToList();
    }

    private static IEnumerable<string> LegendTexts(IReadOnlyList<string> schemes, IReadOnlyList<ComputeRoof> roofs, double bw, HardwareProfile hw, double? onChip)
    {
        foreach (string s in schemes)
        {
            yield return s + " (no own ops)";
        }
        yield return "op shared by every scheme";
        yield return "open: no DRAM traffic (x = FLOP per on-chip byte)";
        yield return $"DRAM roof ({hw.Dram.Kind}, {Sig(bw / 1e12)} TB/s)";
        foreach (var r in roofs)
        {
            yield return $"{r.DType.Name()} compute roof ({Sig(r.PeakFlopsPerSec / 1e12)} TFLOP/s dense)";
        }
        if (onChip is double b)
        {
            yield return $"on-chip roof ({hw.OnChip?.Kind}, {Sig(b / 1e12)} TB/s)";
        }
    }

    /// <summary>The roof lines in log10 data space (for keeping labels off them).</summary>
    private static IEnumerable<(double X0, double Y0, double X1, double Y1)> RoofSegments(RooflineLayout l)
    {
        double lbw = Math.Log10(l.DramBytesPerSec);
        if (l.Roofs.Count > 0)
        {
            double top = Math.Log10(l.Roofs[0].PeakFlopsPerSec);
            yield return (l.Log10X.Min, lbw + l.Log10X.Min, top - lbw, top);
            if (l.OnChipBytesPerSec is double oc)
            {
                yield return (l.Log10X.Min, Math.Log10(oc) + l.Log10X.Min, top - Math.Log10(oc), top);
            }
        }
        foreach (var r in l.Roofs)
        {
            double y = Math.Log10(r.PeakFlopsPerSec);
            yield return (Math.Log10(r.RidgeFlopsPerByte), y, l.Log10X.Max, y);
        }
    }

    private static string Wrap(IReadOnlyList<string> names, int width)
    {
        var lines = new List<string>();
        string current = "";
        foreach (string n in names)
        {
            string next = current.Length == 0 ? n : current + ", " + n;
            if (next.Length > width && current.Length > 0)
            {
                lines.Add(current + ",");
                current = n;
            }
            else
            {
                current = next;
            }
        }
        lines.Add(current);
        return string.Join('\n', lines);
    }

    internal static string Sig(double v) => Formats.Sig(v, 3);

    private static string Fmt(double v) => v.ToString("0", CultureInfo.InvariantCulture);
}
