using XQuant.Sim.Rendering.Charts;
using XQuant.Sim.Studies.Scenarios;

namespace XQuant.Sim.Rendering.Export;

/// <summary>
/// The charts a scenario asks for (outputs: "charts"): charts/NAME.png and charts/NAME.svg under the run's folder,
/// drawn from the run's cases only (a chart needs at least two contexts or batches in the scenario to be a line).
/// </summary>
public sealed class ChartExporter : IExporter
{
    public static readonly ChartExporter Default = new();

    public string Name => "charts";

    public IReadOnlyList<string> Export(RunResult run, string outDir)
    {
        var written = new List<string>();
        var figures = ChartSet.For(run.Cases, ChartSet.DefaultFocus(run.Cases));
        foreach (var figure in figures)
        {
            using var plot = figure.Build();
            foreach (string ext in ChartFile.Extensions)
            {
                string path = Path.Combine(outDir, "charts", figure.Name + ext);
                ChartFile.Save(plot, path, figure.Width, figure.Height);
                written.Add(path);
            }
        }
        return written;
    }
}
