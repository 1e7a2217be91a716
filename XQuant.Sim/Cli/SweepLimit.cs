using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Studies.Scenarios;

namespace XQuant.Sim.Cli;

/// <summary>
/// A scenario's lists multiply: a few long lists expand to 1e12 cases and hundreds of TB of CSV. Large sweeps print
/// their case count and estimated CSV size before starting; above <see cref="MaxCases"/> they need --yes.
/// </summary>
public static class SweepLimit
{
    public const long MaxCases = 10_000_000;

    /// <summary>Measured on sweep-1m: a cases.csv row is about 330 bytes; an ops.csv row per operator about 150.</summary>
    private const double CaseRowBytes = 330;
    private const double OpsPerCaseRowBytes = 150 * 20;

    public static void Check(CliContext ctx, Scenario scenario, bool detailOps, bool yes)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(scenario);
        double cases = (double)scenario.Models.Count * scenario.Hardware.Count * scenario.Schemes.Count * scenario.Weights.Count
            * scenario.Phases.Count * scenario.Batches.Count * scenario.Contexts.Count;
        if (cases <= ScenarioRunner.StreamingThreshold)
        {
            return;
        }
        double bytes = cases * (CaseRowBytes + (detailOps ? OpsPerCaseRowBytes : 0));
        string size = $"{Formats.Sig(cases)} cases, about {Formats.Bytes((long)Math.Min(bytes, long.MaxValue))} of CSV (estimated)";
        if (cases > MaxCases && !yes)
        {
            throw new InputException("run", "", $"the scenario expands to {size}, above the limit of {MaxCases} cases; narrow its lists or pass --yes");
        }
        ctx.Out.WriteLine($"sweep: {size}");
    }
}
