using XQuant.Sim.Studies.Scenarios;

namespace XQuant.Sim.Rendering.Export;

/// <summary>Renders a finished run into files under a folder; returns the paths written. Never recomputes a cost.</summary>
public interface IExporter
{
    string Name { get; }

    IReadOnlyList<string> Export(RunResult run, string outDir);
}
