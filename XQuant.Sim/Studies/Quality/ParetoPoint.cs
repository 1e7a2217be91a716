using XQuant.Sim.Domain.Planning;

namespace XQuant.Sim.Studies.Quality;

/// <summary>A scheme placed in memory x time x error space: memory and time from the cost model, error from a quality source.</summary>
public sealed record ParetoPoint(string Label, CaseResult Cost, QualityPoint Quality, double Fp16Perplexity)
{
    public double NormalizedSize => Cost.NormalizedSize;

    public double TimePerTokenSec => Cost.Step.OverlappedSec;

    /// <summary>Perplexity increase over FP16 on the same model and dataset.</summary>
    public double PerplexityDelta => Quality.Perplexity - Fp16Perplexity;
}

public static class Pareto
{
    /// <summary>
    /// True where no other point is at least as good in memory, time and error and strictly better in one: the
    /// schemes worth choosing.
    /// </summary>
    public static IReadOnlyList<bool> NonDominated(IReadOnlyList<ParetoPoint> points)
    {
        var result = new bool[points.Count];
        for (int i = 0; i < points.Count; i++)
        {
            result[i] = !points.Where((q, j) => j != i && Dominates(q, points[i])).Any();
        }
        return result;
    }

    public static bool Dominates(ParetoPoint a, ParetoPoint b) =>
        a.NormalizedSize <= b.NormalizedSize && a.TimePerTokenSec <= b.TimePerTokenSec && a.PerplexityDelta <= b.PerplexityDelta
        && (a.NormalizedSize < b.NormalizedSize || a.TimePerTokenSec < b.TimePerTokenSec || a.PerplexityDelta < b.PerplexityDelta);
}
