using ScottPlot;
using XQuant.Sim.Rendering.Charts;
using XQuant.Sim.Studies.Serving;

namespace XQuant.Sim.Rendering.Serving;

/// <summary>
/// The serving pictures, drawn from a finished study: latency against throughput over the rates simulated (the
/// rate runs and every max-rate probe), cache-pool use over time, and the TTFT and TPOT CDFs of each scheme's last
/// run (the highest rate when several were given). One colour per scheme, in the order the schemes were given.
/// </summary>
public static class ServingCharts
{
    /// <summary>Charts, by file name (without extension), in a fixed order; only those the data supports.</summary>
    public static IReadOnlyList<(string Name, Func<Plot> Build)> For(ServingStudyResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var list = new List<(string, Func<Plot>)>();
        if (result.Schemes.Any(s => Points(s).Count >= 2))
        {
            list.Add(("latency-ttft", () => LatencyVsThroughput(result, ttft: true)));
            list.Add(("latency-tpot", () => LatencyVsThroughput(result, ttft: false)));
        }
        if (result.Schemes.Any(s => s.Runs.Count > 0))
        {
            list.Add(("pool-use", () => PoolUse(result)));
            list.Add(("ttft-cdf", () => Cdf(result, ttft: true)));
            list.Add(("tpot-cdf", () => Cdf(result, ttft: false)));
        }
        return list;
    }

    private static List<(double Throughput, ServingSummary Summary)> Points(SchemeServing s) =>
        s.Runs.Where(r => r.RatePerSec is not null).Select(r => r.Summary)
            .Concat(s.MaxRate?.Probes.Select(p => p.Summary) ?? [])
            .Where(x => x.Completed > 0)
            .Select(x => (x.OutputTokensPerSec, x))
            .OrderBy(x => x.OutputTokensPerSec)
            .ToList();

    public static Plot LatencyVsThroughput(ServingStudyResult result, bool ttft)
    {
        ArgumentNullException.ThrowIfNull(result);
        int pct = result.Plan.Percentile;
        var w = result.Plan.Template;
        var plot = ChartStyle.NewPlot(
            $"{(ttft ? "TTFT" : "TPOT")} p{pct} vs throughput: {w.Model.Id} on {w.Hardware.Id}",
            "output tokens per second (achieved)",
            $"{(ttft ? "time to first token" : "time per output token")} p{pct} (ms, log scale)");
        // Log y: past the knee latency grows by orders of magnitude, and a linear axis flattens everything before it.
        double minY = double.PositiveInfinity, maxY = double.NegativeInfinity;
        for (int i = 0; i < result.Schemes.Count; i++)
        {
            var pts = Points(result.Schemes[i])
                .Select(p => (X: p.Throughput, Y: (ttft ? p.Summary.TtftSec : p.Summary.TpotSec).At(pct) * 1e3))
                .Where(p => p.Y > 0 && double.IsFinite(p.Y))
                .ToList();
            if (pts.Count == 0)
            {
                continue;
            }
            var ys = pts.Select(p => Math.Log10(p.Y)).ToArray();
            var line = plot.Add.ScatterLine(pts.Select(p => p.X).ToArray(), ys, ChartStyle.ForScheme(i));
            line.LineWidth = 2;
            line.MarkerSize = 6;
            line.LegendText = result.Schemes[i].Scheme;
            minY = Math.Min(minY, ys.Min());
            maxY = Math.Max(maxY, ys.Max());
        }
        var target = ttft ? result.Plan.Slo.TtftSec : result.Plan.Slo.TpotSec;
        if (target is double t)
        {
            double y = Math.Log10(t * 1e3);
            var h = plot.Add.HorizontalLine(y, 1.5f, ChartStyle.Roof, LinePattern.Dashed);
            h.LegendText = $"SLO {(ttft ? "ttft" : "tpot")} target";
            minY = Math.Min(minY, y);
            maxY = Math.Max(maxY, y);
        }
        if (double.IsFinite(minY))
        {
            int y0 = (int)Math.Floor(minY), y1 = Math.Max(y0 + 1, (int)Math.Ceiling(maxY + 0.05));
            LogAxis.Apply(plot.Axes.Left, LogAxis.Decades(y0, y1, LogAxis.Si), minY - 0.1, maxY + 0.15);
        }
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    public static Plot PoolUse(ServingStudyResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var w = result.Plan.Template;
        var plot = ChartStyle.NewPlot($"Cache pool in use: {w.Model.Id} on {w.Hardware.Id}, last run per scheme", "time (s)", "share of the pool's blocks in use");
        for (int i = 0; i < result.Schemes.Count; i++)
        {
            var s = result.Schemes[i];
            if (s.Runs.Count == 0 || s.Pool.TotalBlocks == 0)
            {
                continue;
            }
            var r = s.Runs[^1].Result;
            int n = r.PoolTimesSec.Count;
            int step = Math.Max(1, n / 2000);
            var xs = new List<double>();
            var ys = new List<double>();
            for (int k = 0; k < n; k += step)
            {
                xs.Add(r.PoolTimesSec[k]);
                ys.Add((double)r.PoolUsedBlocks[k] / s.Pool.TotalBlocks);
            }
            if (xs.Count == 0)
            {
                continue;
            }
            var line = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray(), ChartStyle.ForScheme(i));
            line.LineWidth = 1.5f;
            line.MarkerSize = 0;
            line.LegendText = $"{s.Scheme} ({s.Runs[^1].Arrivals})";
        }
        plot.Axes.SetLimitsY(0, 1.05);
        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }

    public static Plot Cdf(ServingStudyResult result, bool ttft)
    {
        ArgumentNullException.ThrowIfNull(result);
        var w = result.Plan.Template;
        var plot = ChartStyle.NewPlot(
            $"{(ttft ? "TTFT" : "TPOT")} distribution: {w.Model.Id} on {w.Hardware.Id}, last run per scheme",
            ttft ? "time to first token (ms)" : "time per output token (ms)",
            "share of completed requests");
        for (int i = 0; i < result.Schemes.Count; i++)
        {
            var s = result.Schemes[i];
            if (s.Runs.Count == 0)
            {
                continue;
            }
            var values = s.Runs[^1].Result.Requests.Where(r => r.Completed).Select(r => (ttft ? r.TtftSec : r.TpotSec) * 1e3).Where(v => !double.IsNaN(v)).Order().ToArray();
            if (values.Length == 0)
            {
                continue;
            }
            int step = Math.Max(1, values.Length / 2000);
            var xs = new List<double>();
            var ys = new List<double>();
            for (int k = 0; k < values.Length; k += step)
            {
                xs.Add(values[k]);
                ys.Add((k + 1.0) / values.Length);
            }
            xs.Add(values[^1]);
            ys.Add(1.0);
            var line = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray(), ChartStyle.ForScheme(i));
            line.LineWidth = 2;
            line.MarkerSize = 0;
            line.LegendText = $"{s.Scheme} ({s.Runs[^1].Arrivals})";
        }
        plot.Axes.SetLimitsY(0, 1.02);
        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }
}
