namespace XQuant.Sim.Studies.Serving;

/// <summary>
/// Dollars and joules beside speed. Cost: a price per device-hour spread over the output tokens served in that
/// hour. Energy: the stated power model P = idle + busy x (TDP - idle), busy = the share of the run the device spends
/// in iterations, TDP from the profile's datasheet; idle power is not in any datasheet profile, so it is an input.
/// </summary>
public sealed record CostEnergy(double? PricePerDeviceHour, string? PriceSource, double? TdpWatts, double? IdleWatts, double? DollarsPerMillionOutputTokens, double? JoulesPerOutputToken, double? AverageWatts)
{
    /// <param name="devices">Devices of the deployment (TP x PP): each is priced and powered (every device is taken as
    /// busy for the whole iteration: pipeline bubbles are not discounted).</param>
    public static CostEnergy Of(ServingSummary s, double? pricePerHour, string? priceSource, double? tdpWatts, double? idleWatts, int devices = 1)
    {
        ArgumentNullException.ThrowIfNull(s);
        double? dollars = pricePerHour is double p && s.OutputTokensPerSec > 0
            ? (devices > 1 ? p * devices : p) / 3600.0 / s.OutputTokensPerSec * 1e6
            : null;
        double? watts = tdpWatts is double tdp && idleWatts is double idle && double.IsFinite(s.BusyFraction)
            ? idle + Math.Clamp(s.BusyFraction, 0, 1) * (tdp - idle)
            : null;
        watts = devices > 1 && watts is double one ? one * devices : watts;
        double? joules = watts is double w && s.OutputTokensPerSec > 0 ? w / s.OutputTokensPerSec : null;
        return new CostEnergy(pricePerHour, priceSource, tdpWatts, idleWatts, dollars, joules, watts);
    }
}
