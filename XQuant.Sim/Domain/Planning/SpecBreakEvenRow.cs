using XQuant.Sim.Domain.CostModel;

namespace XQuant.Sim.Domain.Planning;

/// <summary>
/// How one speculative configuration moves a rematerializing scheme's break-even (overlapped form, per-token times):
/// where remat stops hiding under the stream (verify + draft), where the scheme crosses the other scheme, and where
/// speculation pays against the scheme's own plain decode (<see cref="SpecPays"/>: context intervals).
/// <see cref="FirstCrossoverTokens"/> is NaN when there is no crossover below <see cref="BreakEven.ContextLimit"/>.
/// </summary>
public sealed record SpecBreakEvenRow(
    SpecDecoding Spec,
    double HideContextTokens,
    double FirstCrossoverTokens,
    double PerTokenSec,
    double PlainPerTokenSec,
    double VersusPerTokenSec,
    IReadOnlyList<(double From, double To)> SpecPays)
{
    public static SpecBreakEvenRow For(Workload scheme, Workload versus)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        ArgumentNullException.ThrowIfNull(versus);
        var spec = scheme.Speculation ?? new SpecDecoding(0, 0);
        var s = scheme with { Speculation = spec };
        var v = versus with { Speculation = spec };
        var crossovers = BreakEven.Crossovers(s, v);
        var pays = BreakEven.SpecCrossovers(s);
        return new SpecBreakEvenRow(
            spec,
            BreakEven.HideContext(s),
            crossovers.Count > 0 ? crossovers[0].At : double.NaN,
            SpecStep.PerTokenOverlappedSec(s),
            Roofline.Step(s with { Speculation = null }).OverlappedSec,
            SpecStep.PerTokenOverlappedSec(v),
            PaysIntervals(pays, SpecStep.PerTokenOverlappedSec(s with { ContextTokens = 1 }) < Roofline.Step(s with { Speculation = null, ContextTokens = 1 }).OverlappedSec));
    }

    /// <summary>The context intervals [from, to] where speculation is faster, from the crossovers (to = +inf: beyond the last).</summary>
    public static IReadOnlyList<(double From, double To)> PaysIntervals(IReadOnlyList<Crossover> crossovers, bool paysAtOne)
    {
        ArgumentNullException.ThrowIfNull(crossovers);
        var list = new List<(double, double)>();
        double from = paysAtOne ? 1 : double.NaN;
        foreach (var c in crossovers)
        {
            if (c.SchemeFasterBelow && !double.IsNaN(from))
            {
                list.Add((from, c.At));
                from = double.NaN;
            }
            else if (!c.SchemeFasterBelow)
            {
                from = c.At + 1;
            }
        }
        if (!double.IsNaN(from))
        {
            list.Add((from, double.PositiveInfinity));
        }
        return list;
    }
}
