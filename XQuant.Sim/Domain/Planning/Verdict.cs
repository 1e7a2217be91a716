namespace XQuant.Sim.Domain.Planning;

/// <summary>
/// The product's answer at one (device, batch, context): which scheme's step is fastest among those that fit,
/// which is slowest, which gives the most tokens/s at the largest batch that fits, and the FP16 baseline beside them.
/// </summary>
public sealed record VerdictPoint(
    double Batch,
    double ContextTokens,
    IReadOnlyList<CaseResult> Cases,
    CaseResult? Fastest,
    CaseResult? Slowest,
    CaseResult? BestAtCapacity,
    CaseResult? Baseline)
{
    public bool NothingFits => Fastest is null;
}

/// <summary>The one verdict rule every report uses (run's summary, compare's report, and whatever reports verdicts next).</summary>
public static class Verdict
{
    /// <summary>The scheme every verdict compares against.</summary>
    public const string BaselineSpec = "fp16";

    /// <summary>One point per (batch, context) of <paramref name="cases"/>, in the order the cases first name them; cases should share model, device, weights and phase.</summary>
    public static IReadOnlyList<VerdictPoint> Decide(IEnumerable<CaseResult> cases)
    {
        ArgumentNullException.ThrowIfNull(cases);
        var points = new List<VerdictPoint>();
        foreach (var point in cases.GroupBy(c => (c.Workload.Batch, c.Workload.ContextTokens)))
        {
            var all = point.ToList();
            var fitting = all.Where(c => c.Capacity.Fits).ToList();
            points.Add(new VerdictPoint(
                point.Key.Batch,
                point.Key.ContextTokens,
                all,
                fitting.MinBy(c => c.Step.OverlappedSec),
                fitting.MaxBy(c => c.Step.OverlappedSec),
                all.Where(c => c.TokensPerSecAtMaxBatch > 0).MaxBy(c => c.TokensPerSecAtMaxBatch),
                all.FirstOrDefault(c => c.Workload.Scheme.Spec == BaselineSpec)));
        }
        return points;
    }
}
