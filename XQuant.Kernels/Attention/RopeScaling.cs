namespace XQuant.Kernels.Attention;

/// <summary>
/// RoPE frequency scaling of a checkpoint's config.json <c>rope_scaling</c>, as Hugging Face transformers computes it.
/// Linear: every inverse frequency divided by <see cref="Factor"/> (positions / factor). Llama3 (Llama-3.1 and later):
/// with wavelength w = 2π / f_i, L = original_max_position_embeddings, frequencies with w &lt; L / high_freq_factor are
/// kept, those with w &gt; L / low_freq_factor are divided by the factor, and those between are blended:
/// f_i ((1 − s) / factor + s) with s = (L / w − low_freq_factor) / (high_freq_factor − low_freq_factor).
/// </summary>
public sealed record RopeScaling(string Type, double Factor, double LowFreqFactor = 1, double HighFreqFactor = 4, int OriginalMaxPositions = 8192)
{
    public const string Linear = "linear";
    public const string Llama3 = "llama3";

    /// <summary>Problems with the parameters (empty when they are fine).</summary>
    public IReadOnlyList<string> Problems()
    {
        var p = new List<string>();
        if (Type is not (Linear or Llama3))
        {
            p.Add($"type '{Type}' is not supported (linear, llama3)");
        }
        if (!(Factor >= 1) || double.IsInfinity(Factor))
        {
            p.Add(FormattableString.Invariant($"factor must be a finite number >= 1 (got {Factor})"));
        }
        if (Type == Llama3 && (!(LowFreqFactor > 0) || !(HighFreqFactor > LowFreqFactor) || double.IsInfinity(HighFreqFactor) || OriginalMaxPositions < 1))
        {
            p.Add(FormattableString.Invariant($"llama3 needs 0 < low_freq_factor < high_freq_factor and original_max_position_embeddings >= 1 (got {LowFreqFactor}, {HighFreqFactor}, {OriginalMaxPositions})"));
        }
        return p;
    }

    /// <summary>Inverse frequencies f_i = theta^(−2i / headDim), i &lt; headDim / 2, scaled by <paramref name="scaling"/> when given.</summary>
    public static double[] InverseFrequencies(int headDim, double theta, RopeScaling? scaling)
    {
        var f = new double[headDim / 2];
        for (int i = 0; i < f.Length; i++)
        {
            double inv = Math.Pow(theta, -2.0 * i / headDim);
            f[i] = scaling is null ? inv : scaling.Scale(inv);
        }
        return f;
    }

    /// <summary>One inverse frequency after scaling.</summary>
    public double Scale(double inv)
    {
        if (Type == Linear)
        {
            return inv / Factor;
        }
        double wavelength = 2 * Math.PI / inv;
        double lowWavelength = OriginalMaxPositions / LowFreqFactor, highWavelength = OriginalMaxPositions / HighFreqFactor;
        if (wavelength < highWavelength)
        {
            return inv;
        }
        if (wavelength > lowWavelength)
        {
            return inv / Factor;
        }
        double s = ((OriginalMaxPositions / wavelength) - LowFreqFactor) / (HighFreqFactor - LowFreqFactor);
        return ((1 - s) * inv / Factor) + (s * inv);
    }
}
