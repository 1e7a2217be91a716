namespace XQuant.Sim.Domain.Hardware;

/// <summary>A memory pool of a device: DRAM (HBM, GDDR, LPDDR, DDR) or the largest software-visible on-chip SRAM.</summary>
/// <param name="BandwidthBytesPerSec">Null where no source gives it; the cost model then says so instead of guessing.</param>
public sealed record MemoryLevel(
    string Kind,
    double CapacityBytes,
    double? BandwidthBytesPerSec,
    string? Source,
    string? Note);

/// <summary>Device-to-device link (NVLink, Infinity Fabric, ICI, PCIe).</summary>
public sealed record Interconnect(string Kind, double? BandwidthBytesPerSec, string? Source, string? Note);
