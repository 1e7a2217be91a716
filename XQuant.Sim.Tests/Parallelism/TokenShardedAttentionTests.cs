using XQuant.Kernels.Attention;
using XQuant.Kernels.Reference;

namespace XQuant.Sim.Tests.Parallelism;

/// <summary>
/// xquant tp=tokens: each rank holds a contiguous shard of the cached X, rematerializes K = X Wk and V = X Wv for every
/// head over its shard, rotates its keys at their global positions, attends, and the ranks combine by log-sum-exp.
/// The result must be single-device attention over all tokens.
/// </summary>
[TestClass]
public sealed class TokenShardedAttentionTests
{
    [TestMethod]
    [DataRow(2, 1)]
    [DataRow(4, 2)]
    [DataRow(3, 4)]
    public void TokenShardedRemat_WithLogSumExpCombine_EqualsSingleDeviceAttention(int ranks, int kvHeads)
    {
        const int d = 64, tokens = 37, headDim = 16, heads = 4;
        var shape = new AttentionShape(heads, kvHeads, headDim);
        var rng = new Random(14);
        float[] Rand(int n) => Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 2) - 1)).ToArray();
        var x = Rand(tokens * d);
        var wk = Rand(d * shape.KvDim).Select(w => w / 8).ToArray();
        var wv = Rand(d * shape.KvDim).Select(w => w / 8).ToArray();
        var q = Rand(shape.QueryDim);
        var rope = new RopeTable(tokens, headDim);
        var k = MatMul(x, wk, tokens, d, shape.KvDim);
        var v = MatMul(x, wv, tokens, d, shape.KvDim);
        var single = ScalarReference.DecodeAttention(q, k, v, tokens, shape, rope);

        var states = new List<ShardState>();
        int per = (tokens + ranks - 1) / ranks;
        for (int r = 0; r < ranks; r++)
        {
            int t0 = r * per, n = Math.Min(per, tokens - t0);
            if (n <= 0)
            {
                continue;
            }
            var xs = x.AsSpan(t0 * d, n * d).ToArray();
            var ks = MatMul(xs, wk, n, d, shape.KvDim);
            var vs = MatMul(xs, wv, n, d, shape.KvDim);
            for (int t = 0; t < n; t++)
            {
                rope.Apply(ks.AsSpan(t * shape.KvDim, shape.KvDim), t0 + t);
            }
            states.Add(TokenShardedAttention.Partial(q, ks, vs, n, shape));
        }
        var combined = TokenShardedAttention.Combine(states, shape);
        for (int i = 0; i < single.Length; i++)
        {
            Assert.AreEqual(single[i], combined[i], 1e-5, $"element {i}");
        }
        // The check can fail: combining without the max rescale (plain sum of partial outputs) is far off.
        var naive = new float[shape.QueryDim];
        foreach (var s in states)
        {
            for (int i = 0; i < naive.Length; i++)
            {
                naive[i] += s.Acc[i] / s.Sum[i / headDim] / states.Count;
            }
        }
        Assert.IsTrue(single.Zip(naive).Max(p => Math.Abs(p.First - p.Second)) > 1e-3);
    }

    private static float[] MatMul(float[] a, float[] b, int rows, int inner, int cols)
    {
        var c = new float[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < cols; j++)
            {
                double s = 0;
                for (int i = 0; i < inner; i++)
                {
                    s += a[(r * inner) + i] * b[(i * cols) + j];
                }
                c[(r * cols) + j] = (float)s;
            }
        }
        return c;
    }
}
