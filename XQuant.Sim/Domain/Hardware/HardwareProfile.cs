namespace XQuant.Sim.Domain.Hardware;

public enum DeviceKind
{
    Gpu,
    Npu,
    Tpu,
    Cpu,
}

/// <summary>
/// One device as its datasheet (or a calibration run) describes it. Peaks are dense: sparse vendor numbers are
/// never stored here. A dtype absent from <see cref="PeakFlopsPerSec"/> is unsupported or unpublished.
/// </summary>
public sealed record HardwareProfile
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Vendor { get; init; }
    public required DeviceKind Kind { get; init; }
    public required int ReleaseYear { get; init; }
    public required IReadOnlyDictionary<DType, double> PeakFlopsPerSec { get; init; }
    public required string PeakFlopsSource { get; init; }
    public string? PeakFlopsNote { get; init; }
    public required MemoryLevel Dram { get; init; }
    public MemoryLevel? OnChip { get; init; }
    public Interconnect? Interconnect { get; init; }

    /// <summary>Devices in the node when this profile was read from hardware-profiles/nodes/ (null: one device).</summary>
    public int? NodeDevices { get; init; }

    /// <summary>Id of the device profile a node is made of (null: not a node).</summary>
    public string? NodeDevice { get; init; }
    public double? TdpWatts { get; init; }
    public string? TdpSource { get; init; }
    public string? Notes { get; init; }

    /// <summary>Fixed cost per kernel launch; datasheets do not give it, calibration does.</summary>
    public double? KernelLaunchLatencySec { get; init; }

    public Provenance Provenance { get; init; } = Provenance.Datasheet;

    // --- Calibrated profiles only (xqsim calibrate); datasheet profiles leave these null. ---

    /// <summary>
    /// Achieved FLOP/s per kernel class (keys: <see cref="KernelClasses.Name"/>, e.g. "attention"), measured by
    /// microbenchmarks of that class at calibration shapes. Where present, the roofline uses it instead of the dtype
    /// peak for ops of that class: latency = FLOPs / achieved rate, as AIConfigurator calibrates utilization.
    /// </summary>
    public IReadOnlyDictionary<string, double>? AchievedFlopsPerSecByKind { get; init; }

    /// <summary>How and when a calibrated profile was measured.</summary>
    public CalibrationInfo? Calibration { get; init; }

    /// <summary>The achieved rate of a kernel class, or null where the profile has none.</summary>
    public double? AchievedFlops(string kind) =>
        AchievedFlopsPerSecByKind is { } m && m.TryGetValue(kind, out double v) ? v : null;

    /// <summary>The file this profile was read from (for messages), or a description of where it was built.</summary>
    public string SourcePath { get; init; } = "";

    public double DramBandwidthBytesPerSec => Dram.BandwidthBytesPerSec ?? double.NaN;

    public bool Supports(DType t) => PeakFlopsPerSec.ContainsKey(t);

    /// <summary>Peak FLOP/s of a dtype, or null where the device has no such rate.</summary>
    public double? Peak(DType t) => PeakFlopsPerSec.TryGetValue(t, out double v) ? v : null;

    /// <summary>Ridge point against DRAM: the arithmetic intensity (FLOP/byte) above which work is compute-bound.</summary>
    public double? RidgeFlopsPerByte(DType t) => Peak(t) is double p ? p / DramBandwidthBytesPerSec : null;
}
