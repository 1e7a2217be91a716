using System.CommandLine;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Cli;

/// <summary>--engine and --efficiency: derate a datasheet profile the way a serving engine achieves it (datasheet by default).</summary>
public static class EngineOptions
{
    public const string Datasheet = "datasheet";

    public static Option<string> Engine() => new("--engine")
    {
        Description = "serving engine whose fitted efficiency derates the profile (vllm, tensorrt-llm, ..., default = pooled fit; see data/efficiency.json), or datasheet",
        DefaultValueFactory = _ => Datasheet,
    };

    public static Option<string?> Efficiency() => new("--efficiency")
    {
        Description = "engine-efficiency file for --engine (default data/efficiency.json)",
    };

    /// <summary>The profile to cost on and the efficiency applied; the datasheet identity when the engine is "datasheet".</summary>
    public static (HardwareProfile Profile, EngineEfficiency Efficiency) Apply(HardwareProfile hw, string engine, string? efficiencyPath)
    {
        ArgumentNullException.ThrowIfNull(hw);
        if (string.Equals(engine, Datasheet, StringComparison.OrdinalIgnoreCase))
        {
            return (hw, EngineEfficiency.Datasheet);
        }
        if (hw.Provenance != Provenance.Datasheet)
        {
            throw new InputException("--engine", "", $"applies to datasheet profiles; {hw.Id} is {hw.Provenance.Name()}");
        }
        string path = efficiencyPath ?? EngineEfficiencyJson.DefaultPath;
        var set = EngineEfficiencyJson.Load(path);
        var e = set.Entries.FirstOrDefault(x => string.Equals(x.Engine, engine, StringComparison.OrdinalIgnoreCase) && string.Equals(x.Vendor, hw.Vendor, StringComparison.OrdinalIgnoreCase))
            ?? set.Entries.FirstOrDefault(x => string.Equals(x.Engine, engine, StringComparison.OrdinalIgnoreCase) && x.Vendor is null)
            ?? throw new InputException("--engine", "", $"'{JsonFields.Truncate(engine)}' is not in {path} (allowed: {Datasheet}, {string.Join(", ", set.EngineNames)})");
        return (e.Derate(hw), e);
    }

    /// <summary>One line saying which tier a command used.</summary>
    public static string Describe(EngineEfficiency e) =>
        e.IsDatasheet
            ? "engine: datasheet (no engine efficiency applied)"
            : $"engine: {e.Label} (engine-fitted: DRAM bandwidth x{e.DramBandwidthFraction:0.###}, dense peaks x{e.ComputeFraction:0.###}, fixed {e.StepOverheadSec * 1e3:0.###} ms per step + {e.LayerOverheadSec * 1e6:0.##} us per layer)";
}
