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
}

public static class Provenances
{
    public static string Name(this Provenance p) => p switch
    {
        Provenance.Datasheet => "datasheet",
        Provenance.Calibrated => "calibrated",
        Provenance.Measured => "measured",
        _ => throw new ArgumentOutOfRangeException(nameof(p)),
    };
}
