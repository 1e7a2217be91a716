using XQuant.Kernels.Engine;
using XQuant.Kernels.Metrics;

namespace XQuant.Sim.Tests.Engine;

[TestClass]
public sealed class Fp16CacheAttentionTests
{
    /// <summary>Softmax attention in double over the kernel's own (FP16-rounded) rows, keys used as stored.</summary>
    private static float[] Reference(float[] q, float[] k, float[] v, int tokens, int heads, int kvHeads, int headDim)
    {
        int kvDim = kvHeads * headDim, group = heads / kvHeads;
        var output = new float[heads * headDim];
        var w = new double[tokens];
        for (int h = 0; h < heads; h++)
        {
            int kvh = h / group;
            double max = double.NegativeInfinity;
            for (int t = 0; t < tokens; t++)
            {
                double dot = 0;
                for (int i = 0; i < headDim; i++)
                {
                    dot += (double)q[(h * headDim) + i] * k[(t * kvDim) + (kvh * headDim) + i];
                }
                w[t] = dot / Math.Sqrt(headDim);
                max = Math.Max(max, w[t]);
            }
            double sum = 0;
            for (int t = 0; t < tokens; t++)
            {
                w[t] = Math.Exp(w[t] - max);
                sum += w[t];
            }
            for (int i = 0; i < headDim; i++)
            {
                double o = 0;
                for (int t = 0; t < tokens; t++)
                {
                    o += w[t] * v[(t * kvDim) + (kvh * headDim) + i];
                }
                output[(h * headDim) + i] = (float)(o / sum);
            }
        }
        return output;
    }

    [TestMethod]
    [DataRow(1, 4, 4, 32)]
    [DataRow(200, 4, 4, 32)]
    [DataRow(130, 8, 2, 16)]
    public void MatchesSoftmaxAttentionOverItsRows(int tokens, int heads, int kvHeads, int headDim)
    {
        var kernel = new Fp16CacheAttention(tokens, heads, kvHeads, headDim, seed: 3);
        var rng = new Random(4);
        var q = Enumerable.Range(0, heads * headDim).Select(_ => (2 * rng.NextSingle()) - 1).ToArray();
        var (k, v) = kernel.CachedRows();
        // Rows are FP16-rounded random values in [-1, 1]: widened, each is exactly a half.
        Assert.IsTrue(k.All(x => (float)(Half)x == x && Math.Abs(x) <= 1));
        var expected = Reference(q, k, v, tokens, heads, kvHeads, headDim);
        var actual = kernel.Run(q);
        Assert.IsLessThan(1e-5, ErrorMetrics.RelativeFrobenius(expected, actual));
    }
}
