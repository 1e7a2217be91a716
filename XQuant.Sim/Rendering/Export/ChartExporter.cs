using XQuant.Sim.Foundation.Output;
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

    public IReadOnlyList<OutputFile> Files(RunResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var files = new List<OutputFile>();
        foreach (var figure in ChartSet.For(run.Cases, ChartSet.DefaultFocus(run.Cases)))
        {
            using var plot = figure.Build();
            files.AddRange(ChartFile.Extensions.Select(ext => ChartFile.Output($"charts/{figure.Name}{ext}", plot, figure.Width, figure.Height)));
        }
        return files;
    }
}
