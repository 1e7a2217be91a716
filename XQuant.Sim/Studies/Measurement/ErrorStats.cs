namespace XQuant.Sim.Studies.Measurement;

/// <summary>
/// Error statistics over a set of (predicted, measured) pairs. The signed error of one pair is
/// (predicted - measured) / measured: negative means the model is optimistic (predicts less time than measured).
/// Percentiles interpolate linearly between order statistics (type 7, as numpy and Excel do).
/// </summary>
public sealed record ErrorStats(int Count, double MeanSigned, double MedianSigned, double MedianAbs, double P90Abs, double WorstSigned)
{
    public static double SignedError(double predicted, double measured)
    {
        if (!(measured > 0) || !double.IsFinite(predicted))
        {
            throw new ArgumentException($"signed error needs a positive measured time and a finite prediction (got {predicted}, {measured})");
        }
        return (predicted - measured) / measured;
    }

    public static ErrorStats FromSigned(IReadOnlyCollection<double> signed)
    {
        ArgumentNullException.ThrowIfNull(signed);
        if (signed.Count == 0)
        {
            return new ErrorStats(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        }
        var sorted = signed.OrderBy(e => e).ToList();
        var abs = signed.Select(Math.Abs).OrderBy(e => e).ToList();
        double worst = signed.OrderByDescending(Math.Abs).First();
        return new ErrorStats(signed.Count, signed.Average(), Percentile(sorted, 0.5), Percentile(abs, 0.5), Percentile(abs, 0.9), worst);
    }

    public static ErrorStats FromPairs(IEnumerable<(double Predicted, double Measured)> pairs) =>
        FromSigned(pairs.Select(p => SignedError(p.Predicted, p.Measured)).ToList());

    /// <summary>The q-quantile (0..1) of ascending values, linear between neighbours.</summary>
    public static double Percentile(IReadOnlyList<double> ascending, double q)
    {
        ArgumentNullException.ThrowIfNull(ascending);
        if (ascending.Count == 0)
        {
            return double.NaN;
        }
        double pos = q * (ascending.Count - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, ascending.Count - 1);
        return ascending[lo] + ((pos - lo) * (ascending[hi] - ascending[lo]));
    }

    /// <summary>The median of any values (not sorted in place).</summary>
    public static double Median(IEnumerable<double> values) => Percentile(values.OrderBy(v => v).ToList(), 0.5);

    /// <summary>
    /// (P90 - P10) / median: the spread of repeated measurements. Interdecile rather than max - min, so one
    /// stalled run among a hundred does not define it.
    /// </summary>
    public static double Spread(IReadOnlyCollection<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.OrderBy(v => v).ToList();
        double m = Percentile(sorted, 0.5);
        return m > 0 ? (Percentile(sorted, 0.9) - Percentile(sorted, 0.1)) / m : double.NaN;
    }
}
