using XQuant.Sim.Studies.Scenarios;

namespace XQuant.Sim.Rendering.Export;

/// <summary>Maps a scenario's requested outputs to exporters, in a fixed order.</summary>
public static class Exporters
{
    public static IReadOnlyList<IExporter> For(Scenario scenario)
    {
        var list = new List<IExporter>();
        if (scenario.Outputs.Contains(OutputKind.Csv))
        {
            list.Add(CsvExporter.Default);
        }
        if (scenario.Outputs.Contains(OutputKind.Markdown))
        {
            list.Add(MarkdownExporter.Default);
        }
        if (scenario.Outputs.Contains(OutputKind.Charts))
        {
            list.Add(ChartExporter.Default);
        }
        return list;
    }
}
