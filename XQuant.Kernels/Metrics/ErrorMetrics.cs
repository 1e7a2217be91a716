namespace XQuant.Kernels.Metrics;

/// <summary>Error against the FP16 (unquantized) path, as the kernels command and the validation report it.</summary>
public static class ErrorMetrics
{
    /// <summary>||actual - expected||_F / ||expected||_F, in double; 0 when both are zero.</summary>
    public static double RelativeFrobenius(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        if (expected.Length != actual.Length)
        {
            throw new ArgumentException($"lengths differ: {expected.Length} vs {actual.Length}", nameof(actual));
        }
        double num = 0, den = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = (double)actual[i] - expected[i];
            num += e * e;
            den += (double)expected[i] * expected[i];
        }
        return den == 0 ? (num == 0 ? 0 : double.PositiveInfinity) : Math.Sqrt(num / den);
    }

    /// <summary>max |actual - expected|.</summary>
    public static double MaxAbs(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        if (expected.Length != actual.Length)
        {
            throw new ArgumentException($"lengths differ: {expected.Length} vs {actual.Length}", nameof(actual));
        }
        double m = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            m = Math.Max(m, Math.Abs((double)actual[i] - expected[i]));
        }
        return m;
    }
}
