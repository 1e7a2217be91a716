using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Domain.Hardware;

/// <summary>
/// The physically sensible range of one profile number. A value outside it is a typo or a hostile file, not a device:
/// a DRAM bandwidth of 5e-324 B/s was accepted and reported steps of "inf s". The ranges are wide (a phone to a
/// wafer-scale part, with room to grow; the low ends also admit calibrated profiles of ILGPU's CPU emulator, which
/// measures a few MFLOP/s) and are listed in docs/robustness.md.
/// </summary>
public sealed record SaneRange(double Min, double Max, string Unit)
{
    public static readonly SaneRange PeakFlops = new(1e5, 1e19, "FLOP/s");
    public static readonly SaneRange AchievedFlops = new(1e3, 1e19, "FLOP/s");
    public static readonly SaneRange DramBandwidth = new(1e6, 1e16, "B/s");
    public static readonly SaneRange DramCapacity = new(1e6, 1e16, "B");
    public static readonly SaneRange OnChipBandwidth = new(1e6, 1e18, "B/s");
    public static readonly SaneRange OnChipCapacity = new(1e3, 1e16, "B");
    public static readonly SaneRange LinkBandwidth = new(1e6, 1e16, "B/s");
    public static readonly SaneRange TdpWatts = new(1, 1e6, "W");

    /// <summary>Reads <paramref name="key"/>; a number outside the range is an error naming the field and the range (NaN or null then).</summary>
    public double? Read(JsonFields f, string key, bool required)
    {
        ArgumentNullException.ThrowIfNull(f);
        double? v = required ? f.RequiredNumber(key) : f.OptionalNumber(key);
        if (v is double d && double.IsFinite(d) && (d < Min || d > Max))
        {
            f.Error(key, $"is {JsonFields.Format(d)} {Unit}, outside the sensible range {JsonFields.Format(Min)} to {JsonFields.Format(Max)} {Unit}");
            return required ? double.NaN : null;
        }
        return v;
    }
}
