using XQuant.Kernels.Fast;

namespace XQuant.Kernels.Attention;

/// <summary>
/// Flash-decoding arithmetic shared by the fast CPU attention kernels and the decode engine: fold one tile of K/V
/// into a per-head running max, running sum of exp and exp-weighted V sum, then merge the partial states of all
/// tiles into the output.
/// </summary>
internal static class OnlineSoftmax
{
    /// <summary>Folds <paramref name="n"/> tokens of post-RoPE K and V (n x KvDim) into the state; scores needs n floats.</summary>
    public static void Consume(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, int n, AttentionShape shape, Span<float> max, Span<float> sum, Span<float> acc, Span<float> scores)
    {
        int dkv = shape.KvDim, dh = shape.HeadDim;
        float scale = shape.ScoreScale;
        for (int h = 0; h < shape.Heads; h++)
        {
            int kvh = h / shape.QueryHeadsPerKvHead;
            var qh = q.Slice(h * dh, dh);
            float tileMax = float.NegativeInfinity;
            for (int t = 0; t < n; t++)
            {
                scores[t] = FastCpu.Dot(qh, k.Slice((t * dkv) + (kvh * dh), dh)) * scale;
                tileMax = Math.Max(tileMax, scores[t]);
            }
            float m = Math.Max(max[h], tileMax);
            float correction = MathF.Exp(max[h] - m);
            var a = acc.Slice(h * dh, dh);
            if (correction != 1f)
            {
                for (int i = 0; i < dh; i++)
                {
                    a[i] *= correction;
                }
            }
            float s = sum[h] * correction;
            for (int t = 0; t < n; t++)
            {
                float e = MathF.Exp(scores[t] - m);
                s += e;
                FastCpu.Axpy(e, v.Slice((t * dkv) + (kvh * dh), dh), a);
            }
            sum[h] = s;
            max[h] = m;
        }
    }

    /// <summary>Combines the partial states of all tiles into the Heads x HeadDim output (overwritten).</summary>
    public static void Merge(IReadOnlyList<(float[] Max, float[] Sum, float[] Acc)> parts, AttentionShape shape, Span<float> output)
    {
        int dh = shape.HeadDim;
        output[..shape.QueryDim].Clear();
        for (int h = 0; h < shape.Heads; h++)
        {
            float m = float.NegativeInfinity;
            foreach (var p in parts)
            {
                m = Math.Max(m, p.Max[h]);
            }
            float total = 0;
            var o = output.Slice(h * dh, dh);
            foreach (var p in parts)
            {
                if (float.IsNegativeInfinity(p.Max[h]))
                {
                    continue;
                }
                float f = MathF.Exp(p.Max[h] - m);
                total += p.Sum[h] * f;
                FastCpu.Axpy(f, p.Acc.AsSpan(h * dh, dh), o);
            }
            for (int i = 0; i < dh; i++)
            {
                o[i] /= total;
            }
        }
    }
}
