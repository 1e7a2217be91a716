using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Studies.Scenarios;

namespace XQuant.Sim.Rendering.Export;

/// <summary>Renders a finished run into output files (paths relative to the run's folder). Never recomputes a cost.</summary>
public interface IExporter
{
    string Name { get; }

    IReadOnlyList<OutputFile> Files(RunResult run);
}
