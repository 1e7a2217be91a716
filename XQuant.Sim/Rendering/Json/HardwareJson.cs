using System.Text.Json.Nodes;
using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Rendering.Json;

/// <summary>The roofs a case was costed against, so a reader can draw the roofline without the profile file.</summary>
public static class HardwareJson
{
    public static JsonObject Roofs(HardwareProfile hw)
    {
        ArgumentNullException.ThrowIfNull(hw);
        var peaks = new JsonObject();
        foreach (var (dtype, flops) in hw.PeakFlopsPerSec.OrderBy(p => p.Key))
        {
            peaks[dtype.Name()] = JsonDoc.Num(flops);
        }
        return new JsonObject
        {
            ["id"] = hw.Id,
            ["name"] = hw.Name,
            ["provenance"] = hw.Provenance.Name(),
            ["dram_capacity_bytes"] = JsonDoc.Num(hw.Dram.CapacityBytes),
            ["dram_bandwidth_bytes_per_sec"] = JsonDoc.Num(hw.DramBandwidthBytesPerSec),
            ["peak_flops_per_sec"] = peaks,
        };
    }
}
