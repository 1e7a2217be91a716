using System.Text;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Studies.Published;
using XQuant.Sim.Studies.Measurement;

namespace XQuant.Sim.Rendering.Published;

/// <summary>summary.md: counts, |error| statistics per tier overall and per device, engine and metric, and the unscored rows with why.</summary>
public static class PublishedSummaryMarkdown
{
    public static string Build(ScoreSummary s, IReadOnlyList<ScoredRow> rows, string inputPath, EngineEfficiencySet efficiency, string predictor, string chartFile)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(efficiency);
        var sb = new StringBuilder();
        sb.Append("# Published measured runs: predicted vs measured\n\n");
        sb.Append("Input: `").Append(inputPath).Append("`. Predictor: ").Append(predictor).Append(". ");
        sb.Append("Datasheet tier: every roof of the datasheet profile reached, no fixed time. Fitted tier (engine-fitted): the profile derated by `")
            .Append(efficiency.SourcePath).Append("`, the entry of each row's engine (pooled `default` for an engine it does not name).\n\n");
        if (InSample(efficiency, inputPath))
        {
            sb.Append("**The efficiency file was fitted on these rows (fitted_on: ").Append(efficiency.FittedOn)
                .Append("), so the fitted tier here is in-sample.** `xqsim published fit` prints the leave-one-out error beside it.\n\n");
        }
        sb.Append("Error = predicted / measured - 1. |err| statistics in percent: median, P90 (linear interpolation) and the worst signed error.\n\n");
        sb.Append("**").Append(s.Line()).Append("**\n\n");
        sb.Append("| group | rows | datasheet median |err| % | datasheet P90 % | datasheet worst % | fitted median |err| % | fitted P90 % | fitted worst % |\n");
        sb.Append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        Row(sb, "all scored rows", s.Scored, s.Datasheet, s.Fitted);
        foreach (var g in s.Groups)
        {
            Row(sb, $"{g.Dimension} {g.Key}", g.Rows, g.Datasheet, g.Fitted);
        }
        sb.Append('\n');
        if (rows.Where(r => r.BeatsDatasheet).ToList() is { Count: > 0 } beat)
        {
            sb.Append("## Measured runs faster than the datasheet roofline (").Append(beat.Count).Append(")\n\n")
                .Append("A roofline is an upper bound, so for these rows an assumption of the setup is wrong, not the engine too good: ")
                .Append("for example an unstated KV dtype taken as FP16 (an FP8 cache doubles the sequences that fit and halves the bytes each reads).\n\n")
                .Append("| id | hardware | engine | kv (as published) | measured | predicted, datasheet |\n|---|---|---|---|---:|---:|\n");
            foreach (var r in beat)
            {
                sb.Append("| ").Append(r.Row.Id).Append(" | ").Append(r.Row.Hardware).Append(" | ").Append(r.Row.Engine).Append(" | ").Append(r.Row.Kv)
                    .Append(" | ").Append(Formats.Sig(r.Row.Value)).Append(" | ").Append(Formats.Sig(r.PredictedDatasheet)).Append(" |\n");
            }
            sb.Append('\n');
        }
        if (s.Unscored.Count > 0)
        {
            sb.Append("## Rows not scored (").Append(s.Unscored.Count).Append(" of ").Append(s.Total).Append(")\n\n| id | hardware | engine | metric | status |\n|---|---|---|---|---|\n");
            foreach (var r in s.Unscored)
            {
                sb.Append("| ").Append(r.Row.Id).Append(" | ").Append(r.Row.Hardware).Append(" | ").Append(r.Row.Engine).Append(" | ")
                    .Append(r.Row.Metric.Name()).Append(" | ").Append(r.Status).Append(" |\n");
            }
            sb.Append('\n');
        }
        sb.Append("![predicted vs measured](").Append(chartFile).Append(")\n");
        return sb.ToString();
    }

    /// <summary>Whether the efficiency file says it was fitted on a file of this name.</summary>
    public static bool InSample(EngineEfficiencySet efficiency, string inputPath)
    {
        ArgumentNullException.ThrowIfNull(efficiency);
        return efficiency.FittedOn.StartsWith(Path.GetFileName(inputPath) + ":", StringComparison.Ordinal);
    }

    private static void Row(StringBuilder sb, string name, int rows, ErrorStats d, ErrorStats f) =>
        sb.Append("| ").Append(name).Append(" | ").Append(rows)
            .Append(" | ").Append(ScoreSummary.Pct(d.MedianAbs)).Append(" | ").Append(ScoreSummary.Pct(d.P90Abs)).Append(" | ").Append(Signed(d.WorstSigned))
            .Append(" | ").Append(ScoreSummary.Pct(f.MedianAbs)).Append(" | ").Append(ScoreSummary.Pct(f.P90Abs)).Append(" | ").Append(Signed(f.WorstSigned)).Append(" |\n");

    private static string Signed(double v) => double.IsNaN(v) ? "n/a" : (v >= 0 ? "+" : "") + Formats.Fixed(v, 1);
}
