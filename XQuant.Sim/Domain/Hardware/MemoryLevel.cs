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
/// <param name="BandwidthBytesPerSec">Aggregate bidirectional bandwidth per device, as datasheets quote it.</param>
/// <param name="LatencySec">Per-message latency where a source gives it; null: the collective model's stated default.</param>
/// <param name="Topology">"switch", "ring", "torus", "mesh" or "pcie"; null: inferred from <paramref name="Kind"/>.</param>
public sealed record Interconnect(string Kind, double? BandwidthBytesPerSec, string? Source, string? Note, double? LatencySec = null, string? LatencySource = null, string? Topology = null);
