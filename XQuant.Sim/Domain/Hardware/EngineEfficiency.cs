namespace XQuant.Sim.Domain.Hardware;

/// <summary>
/// How far a serving engine gets from a datasheet profile, as a few physical parameters fitted on published measured
/// runs of that engine: the fraction of DRAM bandwidth its memory-bound kernels achieve, the fraction of the dense
/// dtype peak its GEMMs and attention achieve, and a fixed time per step and per layer (launch, scheduling, sampling).
/// </summary>
/// <param name="Engine">Engine family ("tensorrt-llm", "vllm", ...) or <see cref="DefaultEngine"/> for the pooled fit.</param>
/// <param name="Vendor">Device vendor this entry is limited to, or null for every vendor.</param>
/// <param name="Rows">Published rows the entry was fitted on (0: not fitted, e.g. the datasheet identity).</param>
public sealed record EngineEfficiency(
    string Engine,
    string? Vendor,
    double DramBandwidthFraction,
    double ComputeFraction,
    double StepOverheadSec,
    double LayerOverheadSec,
    int Rows = 0)
{
    /// <summary>The entry used for an engine the file does not name.</summary>
    public const string DefaultEngine = "default";

    /// <summary>The datasheet tier: every roof reached, no fixed time.</summary>
    public static readonly EngineEfficiency Datasheet = new("datasheet", null, 1.0, 1.0, 0, 0);

    /// <summary>Bounds of the parameters, in the order of <see cref="ToVector"/>: each a physical range, not a fit knob.</summary>
    public static readonly IReadOnlyList<ParameterBound> Bounds =
    [
        // Below 0.3 of DRAM bandwidth a decode kernel is broken, not slow; a stream cannot beat the datasheet.
        new("dram_bandwidth_fraction", 0.3, 1.0),
        // Tuned GEMMs reach 0.6-0.9 of peak at large shapes; 0.1 is the floor of a naive kernel.
        new("compute_fraction", 0.1, 1.0),
        // One engine step's host work (scheduling, sampling, launch of a CUDA graph): up to 20 ms.
        new("step_overhead_sec", 0.0, 0.020),
        // Per layer and step (un-graphed kernel launches, synchronisation): up to 200 us.
        new("layer_overhead_sec", 0.0, 200e-6),
    ];

    /// <summary>Fixed time of one step of a model with <paramref name="layers"/> layers.</summary>
    public double OverheadSec(int layers) => StepOverheadSec + layers * LayerOverheadSec;

    public bool IsDatasheet => DramBandwidthFraction == 1.0 && ComputeFraction == 1.0 && StepOverheadSec == 0 && LayerOverheadSec == 0;

    public double[] ToVector() => [DramBandwidthFraction, ComputeFraction, StepOverheadSec, LayerOverheadSec];

    public static EngineEfficiency FromVector(string engine, string? vendor, IReadOnlyList<double> v, int rows) =>
        new(engine, vendor, v[0], v[1], v[2], v[3], rows);

    /// <summary>
    /// The datasheet profile as this engine achieves it: DRAM bandwidth and every dense peak (and calibrated rate)
    /// scaled by the fitted fractions, tagged engine-fitted. The fixed per-step time is not a roofline term: callers add
    /// <see cref="OverheadSec"/> per step.
    /// </summary>
    public HardwareProfile Derate(HardwareProfile hw)
    {
        ArgumentNullException.ThrowIfNull(hw);
        if (IsDatasheet)
        {
            return hw;
        }
        return hw with
        {
            Dram = hw.Dram with { BandwidthBytesPerSec = hw.Dram.BandwidthBytesPerSec * DramBandwidthFraction },
            PeakFlopsPerSec = hw.PeakFlopsPerSec.ToDictionary(kv => kv.Key, kv => kv.Value * ComputeFraction),
            AchievedFlopsPerSecByKind = hw.AchievedFlopsPerSecByKind?.ToDictionary(kv => kv.Key, kv => kv.Value * ComputeFraction, StringComparer.Ordinal),
            Provenance = Provenance.EngineFitted,
            SourcePath = $"{hw.SourcePath}, derated by the {Label} engine efficiency",
        };
    }

    /// <summary>"vllm" or "vllm/AMD".</summary>
    public string Label => Vendor is null ? Engine : $"{Engine}/{Vendor}";
}
