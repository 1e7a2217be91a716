using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Rendering.Charts;
using XQuant.Sim.Studies.Serving;

namespace XQuant.Sim.Rendering.Serving;

/// <summary>A finished serving study's files: requests.csv (rendered while written), summary.csv, summary.md and the charts.</summary>
public static class ServingReport
{
    public static IReadOnlyList<OutputFile> Files(ServingStudyResult result, IReadOnlyList<string> chartExtensions, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(chartExtensions);
        var files = new List<OutputFile>
        {
            OutputFile.CsvRows("requests.csv", ServingTables.RequestColumns, ServingTables.RequestRows(result)),
            OutputFile.Csv("summary.csv", ServingTables.Summary(result, exact: true)),
            OutputFile.Text("summary.md", ServingMarkdown.Render(result)),
        };
        foreach (var (name, build) in ServingCharts.For(result))
        {
            cancel.ThrowIfCancellationRequested();
            using var plot = build();
            files.AddRange(chartExtensions.Select(ext => ChartFile.Output($"charts/{name}{ext}", plot, ChartStyle.Width, ChartStyle.Height)));
        }
        return files;
    }
}
