using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Rendering.Charts;
using XQuant.Sim.Studies.Published;

namespace XQuant.Sim.Rendering.Published;

/// <summary>xqsim published score's files: scores.csv, summary.md and the predicted-vs-measured chart it links.</summary>
public static class PublishedReport
{
    public const string ChartFileName = "predicted-vs-measured.png";

    public static IReadOnlyList<OutputFile> Files(ScoreSummary summary, IReadOnlyList<ScoredRow> scored, string inputPath, EngineEfficiencySet efficiency, string predictorName)
    {
        ArgumentNullException.ThrowIfNull(summary);
        using var plot = PublishedChart.Create(scored, $"Published runs: predicted vs measured ({summary.Scored} of {summary.Total} rows)");
        return
        [
            OutputFile.Text("scores.csv", PublishedScoresCsv.Build(scored)),
            OutputFile.Text("summary.md", PublishedSummaryMarkdown.Build(summary, scored, inputPath, efficiency, predictorName, ChartFileName)),
            ChartFile.Output(ChartFileName, plot, PublishedChart.Width, PublishedChart.Height),
        ];
    }
}
