using XQuant.Sim.Studies.Measurement;

namespace XQuant.Sim.Studies.Published;

/// <summary>Counts and error statistics of a scoring run: overall and per device, engine and metric.</summary>
public sealed record ScoreSummary(int Total, int Scored, ErrorStats Datasheet, ErrorStats Fitted, IReadOnlyList<ScoreGroup> Groups, IReadOnlyList<ScoredRow> Unscored)
{
    public static ScoreSummary Of(IReadOnlyList<ScoredRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var scored = rows.Where(r => r.IsScored).ToList();
        var groups = new List<ScoreGroup>();
        void By(string dimension, Func<ScoredRow, string> key)
        {
            foreach (var g in scored.GroupBy(key).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                groups.Add(new ScoreGroup(dimension, g.Key, g.Count(), Stats(g, r => r.ErrorDatasheetPct), Stats(g, r => r.ErrorFittedPct)));
            }
        }
        By("device", r => r.Row.Hardware);
        By("engine", r => r.Row.Engine);
        By("metric", r => r.Row.Metric.Name());
        return new ScoreSummary(rows.Count, scored.Count, Stats(scored, r => r.ErrorDatasheetPct), Stats(scored, r => r.ErrorFittedPct), groups, rows.Where(r => !r.IsScored).ToList());
    }

    /// <summary>Statistics of errors given in percent; the result is in percent too.</summary>
    private static ErrorStats Stats(IEnumerable<ScoredRow> rows, Func<ScoredRow, double> pct) =>
        ErrorStats.FromSigned(rows.Select(pct).ToList());

    /// <summary>The last line the score command prints.</summary>
    public string Line() =>
        $"published: {Scored} of {Total} scored; datasheet median |err| {Pct(Datasheet.MedianAbs)}%, P90 {Pct(Datasheet.P90Abs)}%; fitted median |err| {Pct(Fitted.MedianAbs)}%, P90 {Pct(Fitted.P90Abs)}%";

    public static string Pct(double v) => double.IsNaN(v) ? "n/a" : v.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
}
