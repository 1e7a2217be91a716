namespace XQuant.Sim.Studies.Serving;

/// <summary>
/// Dollars and joules beside speed. Cost: a price per device-hour spread over the output tokens served in that
/// hour. Energy: the stated power model P = idle + busy x (TDP - idle), busy = the share of the run the device spends
/// in iterations, TDP from the profile's datasheet; idle power is not in any datasheet profile, so it is an input.
/// </summary>
public sealed record CostEnergy(double? PricePerDeviceHour, string? PriceSource, double? TdpWatts, double? IdleWatts, double? DollarsPerMillionOutputTokens, double? JoulesPerOutputToken, double? AverageWatts)
{
    public static CostEnergy Of(ServingSummary s, double? pricePerHour, string? priceSource, double? tdpWatts, double? idleWatts)
    {
        ArgumentNullException.ThrowIfNull(s);
        double? dollars = pricePerHour is double p && s.OutputTokensPerSec > 0
            ? p / 3600.0 / s.OutputTokensPerSec * 1e6
            : null;
        double? watts = tdpWatts is double tdp && idleWatts is double idle && double.IsFinite(s.BusyFraction)
            ? idle + Math.Clamp(s.BusyFraction, 0, 1) * (tdp - idle)
            : null;
        double? joules = watts is double w && s.OutputTokensPerSec > 0 ? w / s.OutputTokensPerSec : null;
        return new CostEnergy(pricePerHour, priceSource, tdpWatts, idleWatts, dollars, joules, watts);
    }
}
