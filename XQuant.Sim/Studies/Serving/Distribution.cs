namespace XQuant.Sim.Studies.Serving;

/// <summary>Mean and percentiles of a sample, percentiles by linear interpolation between closest ranks (numpy's default, as AIPerf and GuideLLM use).</summary>
public readonly record struct Distribution(int Count, double Mean, double P50, double P90, double P99)
{
    public static readonly Distribution Empty = new(0, double.NaN, double.NaN, double.NaN, double.NaN);

    public static Distribution Of(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).ToArray();
        if (sorted.Length == 0)
        {
            return Empty;
        }
        Array.Sort(sorted);
        return new Distribution(sorted.Length, sorted.Average(), Percentile(sorted, 50), Percentile(sorted, 90), Percentile(sorted, 99));
    }

    /// <summary>The p-th percentile of an ascending array: rank p/100 x (n - 1), interpolated.</summary>
    public static double Percentile(double[] sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        double rank = p / 100.0 * (sorted.Length - 1);
        int lo = (int)Math.Floor(rank);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }

    /// <summary>The percentile this distribution reports at 50, 90 or 99.</summary>
    public double At(int percentile) => percentile switch
    {
        50 => P50,
        90 => P90,
        99 => P99,
        _ => throw new ArgumentOutOfRangeException(nameof(percentile), "50, 90 or 99"),
    };
}
