using XQuant.Sim.Scenarios;

namespace XQuant.Sim.Reports;

/// <summary>Renders a finished run into files under a folder; returns the paths written. Never recomputes a cost.</summary>
public interface IExporter
{
    string Name { get; }

    IReadOnlyList<string> Export(RunResult run, string outDir);
}
