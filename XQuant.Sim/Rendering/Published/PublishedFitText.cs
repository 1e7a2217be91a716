using System.Text;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Studies.Published;
using XQuant.Sim.Studies.Measurement;

namespace XQuant.Sim.Rendering.Published;

/// <summary>The fit command's console report: each entry's parameters, rows, in-sample and leave-one-out error side by side.</summary>
public static class PublishedFitText
{
    public static string Build(FitResult fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        var headers = new[] { "entry", "rows", "dram_bw_fraction", "compute_fraction", "step_overhead_ms", "layer_overhead_us", "in_sample_median_abs_err_pct", "loo_median_abs_err_pct" };
        var rows = new List<IReadOnlyList<string>>();
        foreach (var e in fit.Set.Entries)
        {
            bool pooled = e.Engine == EngineEfficiency.DefaultEngine;
            var inSample = pooled ? fit.InSample : fit.InSampleOf(e.Label);
            var loo = pooled ? fit.LeaveOneOut : fit.LooOf(e.Engine);
            rows.Add([e.Label, e.Rows.ToString(System.Globalization.CultureInfo.InvariantCulture), Formats.Fixed(e.DramBandwidthFraction, 3), Formats.Fixed(e.ComputeFraction, 3),
                Formats.Fixed(e.StepOverheadSec * 1e3, 3), Formats.Fixed(e.LayerOverheadSec * 1e6, 2), ScoreSummary.Pct(inSample.MedianAbs), ScoreSummary.Pct(loo.MedianAbs)]);
        }
        var table = new TextTable(headers, headers.Select(_ => "").ToList(), headers.Select((_, i) => i > 0).ToList(), rows);
        var sb = new StringBuilder(table.ToConsole());
        sb.Append('\n');
        sb.Append("per row (error = predicted / measured - 1, percent):\n");
        var perRow = new TextTable(
            ["id", "engine", "entry", "in_sample_err_pct", "loo_entry", "loo_err_pct"], ["", "", "", "", "", ""], [false, false, false, true, false, true],
            fit.Rows.Select(r => (IReadOnlyList<string>)[r.Point.Id, r.Point.Engine, r.Entry, Formats.Fixed(r.InSampleErrorPct, 1), r.LooEntry, Formats.Fixed(r.LooErrorPct, 1)]).ToList());
        sb.Append(perRow.ToConsole());
        sb.Append('\n');
        sb.Append("per group (|error| percent; leave-one-out refits without each row):\n");
        var groupRows = new List<IReadOnlyList<string>>();
        void Group(string name, IReadOnlyList<FitRowResult> members)
        {
            var ins = ErrorStats.FromSigned(members.Select(r => r.InSampleErrorPct).ToList());
            var loo = ErrorStats.FromSigned(members.Select(r => r.LooErrorPct).ToList());
            groupRows.Add([name, members.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), ScoreSummary.Pct(ins.MedianAbs), ScoreSummary.Pct(ins.P90Abs),
                ScoreSummary.Pct(loo.MedianAbs), ScoreSummary.Pct(loo.P90Abs), ScoreSummary.Pct(Math.Abs(loo.WorstSigned))]);
        }
        Group("all", fit.Rows);
        foreach (var (dimension, key) in new (string, Func<FitPoint, string>)[] { ("device", p => p.Hardware), ("engine", p => p.Engine), ("metric", p => p.Metric) })
        {
            foreach (var g in fit.Rows.GroupBy(r => key(r.Point)).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                Group($"{dimension} {g.Key}", g.ToList());
            }
        }
        string[] groupHeaders = ["group", "rows", "in_sample_median", "in_sample_p90", "loo_median", "loo_p90", "loo_worst"];
        sb.Append(new TextTable(groupHeaders, groupHeaders.Select(_ => "").ToList(), groupHeaders.Select((_, k) => k > 0).ToList(), groupRows).ToConsole());
        sb.Append('\n');
        var i = fit.InSample;
        var l = fit.LeaveOneOut;
        sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"fit: {fit.Rows.Count} rows; in-sample median |err| {ScoreSummary.Pct(i.MedianAbs)}%, P90 {ScoreSummary.Pct(i.P90Abs)}%; leave-one-out median |err| {ScoreSummary.Pct(l.MedianAbs)}%, P90 {ScoreSummary.Pct(l.P90Abs)}%\n");
        return sb.ToString();
    }
}
