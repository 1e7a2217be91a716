using XQuant.Kernels.Engine;
using XQuant.Kernels.Fast;
using XQuant.Sim.Foundation.Text;

namespace XQuant.Sim.Studies.Accuracy;

/// <summary>Per layer: how concentrated the outliers of the key latent X Uk are in its first channel.</summary>
/// <param name="FirstToMedian">max_t |Z[t,0]| / median over channels j &gt; 0 of max_t |Z[t,j]|.</param>
/// <param name="FirstRank">Rank of channel 0 by max |Z| (1 = the largest channel).</param>
public sealed record LatentLayer(int Layer, double FirstToMedian, int FirstRank);

/// <summary>
/// What the paper observed, checked on the model's own activations (X from the FP16-cache run):
/// (1) cross-layer deltas X_i - X_(i-1) have a smaller range than X_i (XQuant-CL's premise);
/// (2) the key latent X Uk concentrates its outliers in channel 0 (the top singular direction of Wk);
/// (3) at equal bits, XQuant's error vs KIVI*'s (from the measured schemes).
/// </summary>
/// <param name="DeltaToXRange">Mean over tokens and layers i &gt;= 1 of range(X_i[t] - X_(i-1)[t]) / range(X_i[t]), per group of G channels (the per-token quantizer's unit).</param>
/// <param name="XOutlierRatio">Mean over layers of (largest channel's max |X|) / (median channel's max |X|).</param>
public sealed record StructureFindings(double DeltaToXRange, double DeltaToXRangeMedian, double XOutlierRatio, IReadOnlyList<LatentLayer> Latent, IReadOnlyList<string> EqualBits)
{
    public int LayersFirstIsLargest => Latent.Count(l => l.FirstRank == 1);

    public double MeanFirstToMedian => Latent.Count == 0 ? double.NaN : Latent.Average(l => l.FirstToMedian);

    internal static StructureFindings Measure(EngineWeights w, float[][] x, int tokens, int group, IReadOnlyList<SchemeAccuracy> schemes)
    {
        var c = w.Config;
        int d = c.HiddenSize;
        var ratios = new List<double>();
        for (int l = 1; l < x.Length; l++)
        {
            for (int t = 0; t < tokens; t++)
            {
                for (int g0 = 0; g0 < d; g0 += group)
                {
                    int gn = Math.Min(group, d - g0);
                    var cur = x[l].AsSpan((t * d) + g0, gn);
                    var prev = x[l - 1].AsSpan((t * d) + g0, gn);
                    float xmin = float.PositiveInfinity, xmax = float.NegativeInfinity, dmin = float.PositiveInfinity, dmax = float.NegativeInfinity;
                    for (int i = 0; i < gn; i++)
                    {
                        xmin = Math.Min(xmin, cur[i]);
                        xmax = Math.Max(xmax, cur[i]);
                        float delta = cur[i] - prev[i];
                        dmin = Math.Min(dmin, delta);
                        dmax = Math.Max(dmax, delta);
                    }
                    if (xmax > xmin)
                    {
                        ratios.Add((dmax - dmin) / (double)(xmax - xmin));
                    }
                }
            }
        }
        ratios.Sort();
        double outlier = x.Length == 0 ? double.NaN : x.Average(xl => MaxToMedian(ChannelAbsMax(xl, tokens, d)));
        var latent = new List<LatentLayer>();
        int kvd = c.KvDim;
        for (int l = 0; l < x.Length; l++)
        {
            var z = FastCpu.MatMul(x[l], tokens, w.Layers[l].Gqa.Uk);
            var absMax = ChannelAbsMax(z, tokens, kvd);
            var others = absMax.Skip(1).Order().ToList();
            double median = others.Count == 0 ? double.NaN : others[others.Count / 2];
            int rank = 1 + absMax.Skip(1).Count(a => a > absMax[0]);
            latent.Add(new LatentLayer(l, absMax[0] / median, rank));
        }
        return new StructureFindings(ratios.Count == 0 ? double.NaN : ratios.Average(), ratios.Count == 0 ? double.NaN : ratios[ratios.Count / 2], outlier, latent, EqualBitsLines(schemes));
    }

    private static double[] ChannelAbsMax(float[] m, int rows, int width)
    {
        var a = new double[width];
        for (int t = 0; t < rows; t++)
        {
            for (int j = 0; j < width; j++)
            {
                a[j] = Math.Max(a[j], Math.Abs(m[(t * width) + j]));
            }
        }
        return a;
    }

    private static double MaxToMedian(double[] a)
    {
        var s = a.Order().ToList();
        return s[^1] / s[s.Count / 2];
    }

    /// <summary>XQuant (and XQuant-GQA) against KIVI* at equal bits, and at about equal memory (XQuant B bits vs KIVI* B/2 bits on MHA).</summary>
    private static List<string> EqualBitsLines(IReadOnlyList<SchemeAccuracy> schemes)
    {
        var lines = new List<string>();
        foreach (var kivi in schemes.Where(s => s.Family == "kivi"))
        {
            foreach (var xq in schemes.Where(s => s.Family is "xquant" or "xquant-gqa"))
            {
                bool sameBits = xq.Bits == kivi.Bits;
                bool sameMemory = Math.Abs(xq.NormalizedSize - kivi.NormalizedSize) <= 0.1 * kivi.NormalizedSize;
                if (!sameBits && !sameMemory)
                {
                    continue;
                }
                string what = sameBits && sameMemory ? "equal bits and memory" : sameBits ? "equal bits" : "about equal memory";
                string verdict = xq.MeanKl < kivi.MeanKl ? "XQuant lower" : "KIVI* lower";
                lines.Add(FormattableString.Invariant($"{what}: {xq.Scheme} vs {kivi.Scheme}: KL {Formats.Sig(xq.MeanKl)} vs {Formats.Sig(kivi.MeanKl)} nats ({verdict}), perplexity {Formats.Sig(xq.Perplexity)} vs {Formats.Sig(kivi.Perplexity)}, K rel. error {Formats.Sig(xq.KRelError)} vs {Formats.Sig(kivi.KRelError)}, V {Formats.Sig(xq.VRelError)} vs {Formats.Sig(kivi.VRelError)}, size {Formats.Sig(xq.NormalizedSize)} vs {Formats.Sig(kivi.NormalizedSize)} of FP16"));
            }
        }
        return lines;
    }
}
