using XQuant.Sim.Charts;
using XQuant.Sim.Output;
using XQuant.Sim.Studies.Serving;

namespace XQuant.Sim.Rendering.Serving;

/// <summary>Writes a finished serving study: requests.csv, summary.csv, summary.md and the charts; returns the paths written.</summary>
public static class ServingReport
{
    public static IReadOnlyList<string> Write(ServingStudyResult result, string dir, IReadOnlyList<string> chartExtensions, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(chartExtensions);
        var written = new List<string>();
        string requests = Path.Combine(dir, "requests.csv");
        using (var csv = new CsvOutput.Streaming<ServingTables.RequestRow>(requests, ServingTables.RequestColumns))
        {
            foreach (var row in ServingTables.RequestRows(result))
            {
                csv.Add(row);
            }
            csv.Commit();
        }
        written.Add(requests);
        string summary = Path.Combine(dir, "summary.csv");
        CsvOutput.WriteFile(summary, ServingTables.Summary(result, exact: true));
        written.Add(summary);
        string md = Path.Combine(dir, "summary.md");
        AtomicFile.WriteText(md, ServingMarkdown.Render(result));
        written.Add(md);
        foreach (var (name, build) in ServingCharts.For(result))
        {
            cancel.ThrowIfCancellationRequested();
            using var plot = build();
            foreach (string ext in chartExtensions)
            {
                string path = Path.Combine(dir, "charts", name + ext);
                ChartFile.Save(plot, path, ChartStyle.Width, ChartStyle.Height);
                written.Add(path);
            }
        }
        return written;
    }
}
