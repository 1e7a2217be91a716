using XQuant.Sim.Foundation.Text;

using XQuant.Sim.Studies.Quality;

namespace XQuant.Sim.Rendering.Tables;

/// <summary>The Pareto table's columns: one definition for console, Markdown and CSV.</summary>
public static class ParetoTable
{
    public static TextTable Build(ParetoStudy study, bool exact)
    {
        Func<double, string> num = exact ? Formats.Exact : v => Formats.Sig(v);
        var items = study.Points.Select((p, i) => (Point: p, Front: study.Front[i])).ToList();
        var columns = new List<TableColumn<(ParetoPoint Point, bool Front)>>
        {
            new("scheme", "scheme whose memory and time are shown", x => x.Point.Label, AlignRight: false),
            new("normalized_size", "cache bytes per token / FP16 KV (paper convention)", x => exact ? Formats.Exact(x.Point.NormalizedSize) : Formats.Fixed(x.Point.NormalizedSize, 3)),
            new("time_per_token_s", "decode step, overlapped roofline form", x => exact ? Formats.Exact(x.Point.TimePerTokenSec) : Formats.Seconds(x.Point.TimePerTokenSec)),
            new("perplexity", "teacher-forced perplexity", x => num(x.Point.Quality.Perplexity)),
            new("perplexity_delta", "perplexity minus FP16's", x => exact ? Formats.Exact(x.Point.PerplexityDelta) : Formats.Fixed(x.Point.PerplexityDelta, 2)),
            new("quality_source", "where the perplexity comes from", x => Source(x.Point.Quality), AlignRight: false),
            new("pareto", "not dominated in memory, time and error together", x => x.Front ? "yes" : "", AlignRight: false),
        };
        return TextTable.Build(columns, items);
    }

    public static string Source(QualityPoint q) => q.Source switch
    {
        QualitySource.Paper => $"paper, arXiv 2508.10395 table {q.Table}",
        QualitySource.MeasuredSynthetic => "measured, synthetic model",
        _ => "measured, checkpoint",
    };
}
