using XQuant.Kernels.Attention;
using XQuant.Kernels.Quantization;

namespace XQuant.Kernels.Reference;

public static partial class ScalarReference
{
    /// <summary>
    /// Decode attention of one new token. q: Heads x HeadDim, already rotated for its position; k, v: tokens x
    /// KvDim, keys pre-RoPE (token t is rotated to position t here). Output: Heads x HeadDim. Softmax in double.
    /// </summary>
    public static float[] DecodeAttention(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, int tokens, AttentionShape shape, RopeTable rope)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(rope);
        int dkv = shape.KvDim, dh = shape.HeadDim;
        var kr = k[..(tokens * dkv)].ToArray();
        for (int t = 0; t < tokens; t++)
        {
            rope.Apply(kr.AsSpan(t * dkv, dkv), t);
        }
        var output = new float[shape.QueryDim];
        var scores = new double[tokens];
        for (int h = 0; h < shape.Heads; h++)
        {
            int kvh = h / shape.QueryHeadsPerKvHead;
            double sum = SoftmaxWeights(q, kr, tokens, shape, h, scores);
            for (int i = 0; i < dh; i++)
            {
                double o = 0;
                for (int t = 0; t < tokens; t++)
                {
                    o += scores[t] * v[(t * dkv) + (kvh * dh) + i];
                }
                output[(h * dh) + i] = (float)(o / sum);
            }
        }
        return output;
    }

    /// <summary>Attention over a quantized K/V cache: the reference dequantizes everything first.</summary>
    public static float[] AttentionQuantizedKv(ReadOnlySpan<float> q, QuantizedMatrix kq, QuantizedMatrix vq, AttentionShape shape, RopeTable rope)
    {
        ArgumentNullException.ThrowIfNull(kq);
        return DecodeAttention(q, Dequantize(kq), Dequantize(vq), kq.Rows, shape, rope);
    }

    /// <summary>XQuant: K and V rematerialized from Q(X) with [Wk | Wv] (d x 2 KvDim), then attention.</summary>
    public static float[] AttentionRemat(ReadOnlySpan<float> q, QuantizedMatrix xq, ReadOnlySpan<float> wkv, AttentionShape shape, RopeTable rope)
    {
        ArgumentNullException.ThrowIfNull(xq);
        ArgumentNullException.ThrowIfNull(shape);
        int dkv = shape.KvDim;
        var kv = Remat(xq, wkv, 2 * dkv);
        SplitColumns(kv, xq.Rows, dkv, out var k, out var v);
        return DecodeAttention(q, k, v, xq.Rows, shape, rope);
    }

    /// <summary>
    /// V-absorption: only K is rematerialized; per query head, y = p X^ (1 x d) and the output is y Wv[:, head],
    /// which equals p (X^ Wv) by associativity but never forms V.
    /// </summary>
    public static float[] AttentionVAbsorbed(ReadOnlySpan<float> q, QuantizedMatrix xq, ReadOnlySpan<float> wk, ReadOnlySpan<float> wv, AttentionShape shape, RopeTable rope)
    {
        ArgumentNullException.ThrowIfNull(xq);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(rope);
        int d = xq.Width, dkv = shape.KvDim, dh = shape.HeadDim, tokens = xq.Rows;
        var x = Dequantize(xq);
        var k = MatMul(x, wk, tokens, d, dkv);
        for (int t = 0; t < tokens; t++)
        {
            rope.Apply(k.AsSpan(t * dkv, dkv), t);
        }
        var output = new float[shape.QueryDim];
        var p = new double[tokens];
        var y = new double[d];
        for (int h = 0; h < shape.Heads; h++)
        {
            int kvh = h / shape.QueryHeadsPerKvHead;
            double sum = SoftmaxWeights(q, k, tokens, shape, h, p);
            Array.Clear(y);
            for (int t = 0; t < tokens; t++)
            {
                for (int c = 0; c < d; c++)
                {
                    y[c] += p[t] / sum * x[(t * d) + c];
                }
            }
            for (int i = 0; i < dh; i++)
            {
                double o = 0;
                for (int c = 0; c < d; c++)
                {
                    o += y[c] * wv[(c * dkv) + (kvh * dh) + i];
                }
                output[(h * dh) + i] = (float)o;
            }
        }
        return output;
    }

    /// <summary>
    /// Unnormalized softmax weights of query head <paramref name="h"/> over rotated keys (tokens x KvDim), in double:
    /// weights[t] = exp(score_t - max score); returns their sum.
    /// </summary>
    private static double SoftmaxWeights(ReadOnlySpan<float> q, float[] rotatedKeys, int tokens, AttentionShape shape, int h, double[] weights)
    {
        int dkv = shape.KvDim, dh = shape.HeadDim, kvh = h / shape.QueryHeadsPerKvHead;
        double max = double.NegativeInfinity;
        for (int t = 0; t < tokens; t++)
        {
            double s = 0;
            for (int i = 0; i < dh; i++)
            {
                s += (double)q[(h * dh) + i] * rotatedKeys[(t * dkv) + (kvh * dh) + i];
            }
            weights[t] = s * shape.ScoreScale;
            max = Math.Max(max, weights[t]);
        }
        double sum = 0;
        for (int t = 0; t < tokens; t++)
        {
            weights[t] = Math.Exp(weights[t] - max);
            sum += weights[t];
        }
        return sum;
    }

    /// <summary>Splits a rows x 2w matrix into its left and right rows x w halves ([K | V] into K and V).</summary>
    public static void SplitColumns(ReadOnlySpan<float> kv, int rows, int w, out float[] left, out float[] right)
    {
        left = new float[rows * w];
        right = new float[rows * w];
        for (int r = 0; r < rows; r++)
        {
            kv.Slice(r * 2 * w, w).CopyTo(left.AsSpan(r * w, w));
            kv.Slice((r * 2 * w) + w, w).CopyTo(right.AsSpan(r * w, w));
        }
    }

    /// <summary>Joins d x w Wk and d x w Wv into d x 2w [Wk | Wv].</summary>
    public static float[] JoinColumns(ReadOnlySpan<float> left, ReadOnlySpan<float> right, int rows, int w)
    {
        var kv = new float[rows * 2 * w];
        for (int r = 0; r < rows; r++)
        {
            left.Slice(r * w, w).CopyTo(kv.AsSpan(r * 2 * w, w));
            right.Slice(r * w, w).CopyTo(kv.AsSpan((r * 2 * w) + w, w));
        }
        return kv;
    }
}
