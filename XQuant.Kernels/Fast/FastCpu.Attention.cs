using System.Buffers;
using System.Runtime.Intrinsics;
using XQuant.Kernels.Attention;
using XQuant.Kernels.Quantization;

namespace XQuant.Kernels.Fast;

public static partial class FastCpu
{
    /// <summary>Tokens per attention tile: K/V tiles of this many rows are produced and consumed in cache.</summary>
    public const int TileTokens = 64;

    /// <summary>
    /// Decode attention over float K/V (keys pre-RoPE, rotated per tile). Tiles run in parallel, each worker keeps
    /// an online-softmax state (running max, sum, weighted V), and the states are merged at the end.
    /// </summary>
    public static float[] DecodeAttention(float[] q, float[] k, float[] v, int tokens, AttentionShape shape, RopeTable rope)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(rope);
        int dkv = shape.KvDim;
        return Tiled(q, tokens, shape, (t0, n, kt, vt) =>
        {
            k.AsSpan(t0 * dkv, n * dkv).CopyTo(kt);
            v.AsSpan(t0 * dkv, n * dkv).CopyTo(vt);
            RotateRows(kt, n, dkv, t0, rope);
        });
    }

    /// <summary>Attention over a quantized K/V cache, dequantizing one tile at a time (never the whole cache).</summary>
    public static float[] AttentionQuantizedKv(float[] q, QuantizedMatrix kq, QuantizedMatrix vq, AttentionShape shape, RopeTable rope)
    {
        ArgumentNullException.ThrowIfNull(kq);
        ArgumentNullException.ThrowIfNull(vq);
        ArgumentNullException.ThrowIfNull(rope);
        return Tiled(q, kq.Rows, shape, (t0, n, kt, vt) =>
        {
            DequantizeRows(kq, t0, n, kt);
            DequantizeRows(vq, t0, n, vt);
            RotateRows(kt, n, kq.Width, t0, rope);
        });
    }

    /// <summary>
    /// XQuant, fused: each tile of X^ is dequantized and multiplied by [Wk | Wv] into a TileTokens x 2 d_kv buffer,
    /// keys are rotated, and the tile is consumed by attention before the next one is made: K and V are never
    /// written out in full.
    /// </summary>
    public static float[] AttentionRemat(float[] q, QuantizedMatrix xq, PackedWeights wkv, AttentionShape shape, RopeTable rope)
    {
        ArgumentNullException.ThrowIfNull(xq);
        ArgumentNullException.ThrowIfNull(wkv);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(rope);
        int dkv = shape.KvDim;
        if (wkv.Columns != 2 * dkv)
        {
            throw new ArgumentException($"[Wk | Wv] must have 2 x d_kv = {2 * dkv} columns, has {wkv.Columns}", nameof(wkv));
        }
        return Tiled(q, xq.Rows, shape, (t0, n, kt, vt) =>
        {
            // Rented, not allocated: a 64-token tile of [K | V] is past the large-object threshold, and a fresh
            // one per tile made the kernel's time depend on the garbage collector.
            float[] kv = ArrayPool<float>.Shared.Rent(n * 2 * dkv);
            try
            {
                Gemm.MultiplyRows(Dequantizing(xq, t0), 0, n, wkv, kv);
                for (int r = 0; r < n; r++)
                {
                    kv.AsSpan(r * 2 * dkv, dkv).CopyTo(kt.Slice(r * dkv, dkv));
                    kv.AsSpan((r * 2 * dkv) + dkv, dkv).CopyTo(vt.Slice(r * dkv, dkv));
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(kv);
            }
            RotateRows(kt, n, dkv, t0, rope);
        });
    }

    /// <summary>Unfused XQuant: the full K and V are rematerialized into memory, then read back by attention.</summary>
    public static float[] AttentionRematUnfused(float[] q, QuantizedMatrix xq, PackedWeights wkv, AttentionShape shape, RopeTable rope)
    {
        ArgumentNullException.ThrowIfNull(xq);
        ArgumentNullException.ThrowIfNull(shape);
        var kv = Remat(xq, wkv);
        Reference.ScalarReference.SplitColumns(kv, xq.Rows, shape.KvDim, out var k, out var v);
        return DecodeAttention(q, k, v, xq.Rows, shape, rope);
    }

    /// <summary>
    /// V-absorption: K is rematerialized (deQ(X) Wk), V never is. Per query head, y = p X^ (1 x d, from X^ tiles),
    /// then output = y Wv[:, its KV head's columns]. Wv is d x d_kv row-major.
    /// </summary>
    public static float[] AttentionVAbsorbed(float[] q, QuantizedMatrix xq, PackedWeights wk, float[] wv, AttentionShape shape, RopeTable rope)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(xq);
        ArgumentNullException.ThrowIfNull(wv);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(rope);
        int tokens = xq.Rows, d = xq.Width, dkv = shape.KvDim, dh = shape.HeadDim, heads = shape.Heads;
        var k = Remat(xq, wk);
        RotateRows(k, tokens, dkv, 0, rope);
        var p = new float[heads * tokens];
        Parallel.For(0, heads, h =>
        {
            int kvh = h / shape.QueryHeadsPerKvHead;
            float max = float.NegativeInfinity;
            for (int t = 0; t < tokens; t++)
            {
                float s = Dot(q.AsSpan(h * dh, dh), k.AsSpan((t * dkv) + (kvh * dh), dh)) * shape.ScoreScale;
                p[(h * tokens) + t] = s;
                max = Math.Max(max, s);
            }
            float sum = 0;
            for (int t = 0; t < tokens; t++)
            {
                float e = MathF.Exp(p[(h * tokens) + t] - max);
                p[(h * tokens) + t] = e;
                sum += e;
            }
            for (int t = 0; t < tokens; t++)
            {
                p[(h * tokens) + t] /= sum;
            }
        });
        // y[h, :] = sum_t p[h, t] X^[t, :], over X^ tiles split across workers, partial sums merged.
        int tiles = (tokens + TileTokens - 1) / TileTokens;
        var y = new float[heads * d];
        var gate = new object();
        Parallel.For(0, tiles, () => new float[heads * d], (tile, _, local) =>
        {
            int t0 = tile * TileTokens, n = Math.Min(TileTokens, tokens - t0);
            var xt = new float[n * d];
            DequantizeRows(xq, t0, n, xt);
            for (int h = 0; h < heads; h++)
            {
                for (int r = 0; r < n; r++)
                {
                    Axpy(p[(h * tokens) + t0 + r], xt.AsSpan(r * d, d), local.AsSpan(h * d, d));
                }
            }
            return local;
        }, local =>
        {
            lock (gate)
            {
                Axpy(1f, local, y);
            }
        });
        var output = new float[shape.QueryDim];
        for (int h = 0; h < heads; h++)
        {
            int kvh = h / shape.QueryHeadsPerKvHead;
            var o = output.AsSpan(h * dh, dh);
            for (int c = 0; c < d; c++)
            {
                Axpy(y[(h * d) + c], wv.AsSpan((c * dkv) + (kvh * dh), dh), o);
            }
        }
        return output;
    }

    /// <summary>Rotates rows [0, n) of a tile whose first row is token position0.</summary>
    private static void RotateRows(Span<float> tile, int n, int width, int position0, RopeTable rope)
    {
        for (int r = 0; r < n; r++)
        {
            rope.Apply(tile.Slice(r * width, width), position0 + r);
        }
    }

    private delegate void TileProducer(int t0, int n, Span<float> kTile, Span<float> vTile);

    private static float[] Tiled(float[] q, int tokens, AttentionShape shape, TileProducer produce)
    {
        ArgumentNullException.ThrowIfNull(q);
        int dkv = shape.KvDim;
        int tiles = (tokens + TileTokens - 1) / TileTokens;
        var states = new List<SoftmaxState>();
        var gate = new object();
        // Each worker keeps one K and one V tile buffer for all its tiles (rented: they exceed the large-object
        // threshold, and allocating per tile made timings depend on the garbage collector).
        Parallel.For(0, tiles, () => new SoftmaxState(shape, ArrayPool<float>.Shared.Rent(TileTokens * dkv), ArrayPool<float>.Shared.Rent(TileTokens * dkv)), (tile, _, state) =>
        {
            int t0 = tile * TileTokens, n = Math.Min(TileTokens, tokens - t0);
            produce(t0, n, state.KTile.AsSpan(0, n * dkv), state.VTile.AsSpan(0, n * dkv));
            state.Consume(q, state.KTile, state.VTile, n, shape);
            return state;
        }, state =>
        {
            ArrayPool<float>.Shared.Return(state.KTile);
            ArrayPool<float>.Shared.Return(state.VTile);
            lock (gate)
            {
                states.Add(state);
            }
        });
        return SoftmaxState.Merge(states, shape);
    }

    internal static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int i = 0;
        float s = 0;
        if (Vector512.IsHardwareAccelerated && a.Length >= 16)
        {
            var acc = Vector512<float>.Zero;
            for (; i + 16 <= a.Length; i += 16)
            {
                acc = Vector512.FusedMultiplyAdd(Vector512.Create(a.Slice(i, 16)), Vector512.Create(b.Slice(i, 16)), acc);
            }
            s = Vector512.Sum(acc);
        }
        for (; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }
        return s;
    }

    /// <summary>y += alpha x.</summary>
    internal static void Axpy(float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var va = Vector512.Create(alpha);
            for (; i + 16 <= x.Length; i += 16)
            {
                Vector512.FusedMultiplyAdd(va, Vector512.Create(x.Slice(i, 16)), Vector512.Create(y.Slice(i, 16))).CopyTo(y.Slice(i, 16));
            }
        }
        for (; i < x.Length; i++)
        {
            y[i] += alpha * x[i];
        }
    }

    /// <summary>Per-head running max, running sum of exp, and exp-weighted V sum (flash-decoding state).</summary>
    private sealed class SoftmaxState
    {
        public float[] KTile { get; }

        public float[] VTile { get; }

        private readonly float[] max;
        private readonly float[] sum;
        private readonly float[] acc;

        public SoftmaxState(AttentionShape shape, float[] kTile, float[] vTile)
        {
            KTile = kTile;
            VTile = vTile;
            max = new float[shape.Heads];
            Array.Fill(max, float.NegativeInfinity);
            sum = new float[shape.Heads];
            acc = new float[shape.QueryDim];
        }

        public void Consume(float[] q, float[] k, float[] v, int n, AttentionShape shape) =>
            OnlineSoftmax.Consume(q, k, v, n, shape, max, sum, acc, stackalloc float[TileTokens]);

        public static float[] Merge(List<SoftmaxState> states, AttentionShape shape)
        {
            var output = new float[shape.QueryDim];
            OnlineSoftmax.Merge(states.Select(st => (st.max, st.sum, st.acc)).ToList(), shape, output);
            return output;
        }
    }
}
