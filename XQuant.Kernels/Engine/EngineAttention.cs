using System.Collections.Concurrent;
using XQuant.Kernels.Attention;

namespace XQuant.Kernels.Engine;

/// <summary>
/// Flash-decoding over tiles of <see cref="TileTokens"/> cached tokens: tiles run in parallel (one dispatch), each
/// worker produces its tile's K and V (post-RoPE floats) with the scheme's producer and folds them into an
/// online-softmax state; the states are merged at the end. K and V never exist beyond one tile.
/// </summary>
internal static class EngineAttention
{
    public const int TileTokens = 64;

    public delegate void TileProducer(int t0, int n, TileBuffers buffers);

    /// <param name="sequential">Run the tiles in order on one thread: the same floating-point result on every run (the
    /// parallel merge order depends on scheduling, which moves results by an ulp or so).</param>
    public static void Run(float[] q, int tokens, AttentionShape shape, ConcurrentBag<TileBuffers> pool, Func<TileBuffers> create, TileProducer produce, Span<float> output, bool sequential = false)
    {
        int tiles = (tokens + TileTokens - 1) / TileTokens;
        if (sequential)
        {
            var b = pool.TryTake(out var x) ? x : create();
            Array.Fill(b.Max, float.NegativeInfinity);
            Array.Clear(b.Sum);
            Array.Clear(b.Acc);
            for (int tile = 0; tile < tiles; tile++)
            {
                int t0 = tile * TileTokens, n = Math.Min(TileTokens, tokens - t0);
                produce(t0, n, b);
                Consume(q, b, n, shape);
            }
            Merge([b], shape, output);
            pool.Add(b);
            return;
        }
        var used = new ConcurrentBag<TileBuffers>();
        Parallel.For(0, tiles, () =>
        {
            var b = pool.TryTake(out var x) ? x : create();
            Array.Fill(b.Max, float.NegativeInfinity);
            Array.Clear(b.Sum);
            Array.Clear(b.Acc);
            return b;
        }, (tile, _, b) =>
        {
            int t0 = tile * TileTokens, n = Math.Min(TileTokens, tokens - t0);
            produce(t0, n, b);
            Consume(q, b, n, shape);
            return b;
        }, used.Add);
        Merge(used, shape, output);
        foreach (var b in used)
        {
            pool.Add(b);
        }
    }

    private static void Consume(float[] q, TileBuffers b, int n, AttentionShape shape)
    {
        int dkv = shape.KvDim, dh = shape.HeadDim;
        float scale = shape.ScoreScale;
        var s = b.Scores;
        for (int h = 0; h < shape.Heads; h++)
        {
            int kvh = h / shape.Group;
            var qh = q.AsSpan(h * dh, dh);
            float tileMax = float.NegativeInfinity;
            for (int t = 0; t < n; t++)
            {
                s[t] = EngineMath.Dot(qh, b.K.AsSpan((t * dkv) + (kvh * dh), dh)) * scale;
                tileMax = Math.Max(tileMax, s[t]);
            }
            float m = Math.Max(b.Max[h], tileMax);
            float correction = MathF.Exp(b.Max[h] - m);
            var a = b.Acc.AsSpan(h * dh, dh);
            if (correction != 1f)
            {
                for (int i = 0; i < dh; i++)
                {
                    a[i] *= correction;
                }
            }
            float sum = b.Sum[h] * correction;
            for (int t = 0; t < n; t++)
            {
                float e = MathF.Exp(s[t] - m);
                sum += e;
                EngineMath.Axpy(e, b.V.AsSpan((t * dkv) + (kvh * dh), dh), a);
            }
            b.Sum[h] = sum;
            b.Max[h] = m;
        }
    }

    private static void Merge(IEnumerable<TileBuffers> states, AttentionShape shape, Span<float> output)
    {
        int dh = shape.HeadDim;
        var list = states.ToList();
        output[..shape.QueryDim].Clear();
        for (int h = 0; h < shape.Heads; h++)
        {
            float m = float.NegativeInfinity;
            foreach (var st in list)
            {
                m = Math.Max(m, st.Max[h]);
            }
            float total = 0;
            var o = output.Slice(h * dh, dh);
            foreach (var st in list)
            {
                if (float.IsNegativeInfinity(st.Max[h]))
                {
                    continue;
                }
                float f = MathF.Exp(st.Max[h] - m);
                total += st.Sum[h] * f;
                EngineMath.Axpy(f, st.Acc.AsSpan(h * dh, dh), o);
            }
            for (int i = 0; i < dh; i++)
            {
                o[i] /= total;
            }
        }
    }
}
