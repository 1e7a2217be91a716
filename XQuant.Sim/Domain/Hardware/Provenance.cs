namespace XQuant.Sim.Domain.Hardware;

/// <summary>Where a number came from. Every prediction carries the weakest provenance among its inputs.</summary>
public enum Provenance
{
    /// <summary>A vendor figure (or a documented derivation from vendor figures).</summary>
    Datasheet,

    /// <summary>Measured by microbenchmarks on the device, then used to predict other work.</summary>
    Calibrated,

    /// <summary>Timed on real hardware for this very workload.</summary>
    Measured,

    /// <summary>A datasheet profile derated by an engine-efficiency file fitted on published measured runs of that engine.</summary>
    EngineFitted,
}

public static class Provenances
{
    public static string Name(this Provenance p) => p switch
    {
        Provenance.Datasheet => "datasheet",
        Provenance.Calibrated => "calibrated",
        Provenance.Measured => "measured",
        Provenance.EngineFitted => "engine-fitted",
        _ => throw new ArgumentOutOfRangeException(nameof(p)),
    };
}
