using XQuant.Kernels.Quantization;

namespace XQuant.Kernels.Reference;

/// <summary>
/// Plain loops that define the exact result of every kernel: quantization codes, scales and zeros must match
/// these bit for bit; float outputs must match within the tolerance each test states. Clarity over speed.
/// Matrices are row-major float arrays: X and caches are tokens x width, weights are d_in x d_out.
/// </summary>
public static partial class ScalarReference
{
    /// <summary>Quantizes a rows x width matrix; throws <see cref="ArgumentException"/> for NaN, Inf or |x| &gt; 65504.</summary>
    public static QuantizedMatrix Quantize(ReadOnlySpan<float> x, int rows, int width, QuantSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        InputCheck.Finite(x, rows, width);
        var q = QuantizedMatrix.Allocate(rows, width, spec);
        int maxCode = spec.MaxCode;
        int g = spec.GroupSize;
        // Pass 1: one scale and zero per group, from the group's min and max.
        if (spec.Axis == QuantAxis.PerToken)
        {
            for (int r = 0; r < rows; r++)
            {
                for (int c0 = 0; c0 < width; c0 += g)
                {
                    int c1 = Math.Min(width, c0 + g);
                    float min = x[(r * width) + c0], max = min;
                    for (int c = c0; c < c1; c++)
                    {
                        min = Math.Min(min, x[(r * width) + c]);
                        max = Math.Max(max, x[(r * width) + c]);
                    }
                    Store(q, spec.GroupIndex(r, c0, width), min, max, maxCode);
                }
            }
        }
        else
        {
            for (int r0 = 0; r0 < rows; r0 += g)
            {
                int r1 = Math.Min(rows, r0 + g);
                for (int c = 0; c < width; c++)
                {
                    float min = x[(r0 * width) + c], max = min;
                    for (int r = r0; r < r1; r++)
                    {
                        min = Math.Min(min, x[(r * width) + c]);
                        max = Math.Max(max, x[(r * width) + c]);
                    }
                    Store(q, spec.GroupIndex(r0, c, width), min, max, maxCode);
                }
            }
        }
        // Pass 2: codes with the FP16-rounded scale and zero, packed LSB-first per row.
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < width; c++)
            {
                int gi = spec.GroupIndex(r, c, width);
                int code = QuantMath.Code(x[(r * width) + c], (float)q.Scales[gi], (float)q.Zeros[gi], maxCode);
                BitPacking.Write(q.Packed, (long)r * q.RowBytes, c, spec.Bits, code);
            }
        }
        return q;
    }

    private static void Store(QuantizedMatrix q, int group, float min, float max, int maxCode)
    {
        QuantMath.ScaleZero(min, max, maxCode, out ushort s, out ushort z);
        q.Scales[group] = BitConverter.UInt16BitsToHalf(s);
        q.Zeros[group] = BitConverter.UInt16BitsToHalf(z);
    }

    /// <summary>zero + scale x code for every element.</summary>
    public static float[] Dequantize(QuantizedMatrix q)
    {
        ArgumentNullException.ThrowIfNull(q);
        var y = new float[(long)q.Rows * q.Width];
        for (int r = 0; r < q.Rows; r++)
        {
            for (int c = 0; c < q.Width; c++)
            {
                int gi = q.Spec.GroupIndex(r, c, q.Width);
                y[(r * q.Width) + c] = QuantMath.Dequantize(q.Code(r, c), (float)q.Scales[gi], (float)q.Zeros[gi]);
            }
        }
        return y;
    }

    /// <summary>C = A (m x k) B (k x n), accumulated in double so the reference is the accurate side.</summary>
    public static float[] MatMul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int k, int n)
    {
        var c = new float[(long)m * n];
        var row = new double[n];
        for (int i = 0; i < m; i++)
        {
            Array.Clear(row);
            for (int p = 0; p < k; p++)
            {
                double av = a[(i * k) + p];
                for (int j = 0; j < n; j++)
                {
                    row[j] += av * b[(p * n) + j];
                }
            }
            for (int j = 0; j < n; j++)
            {
                c[(i * n) + j] = (float)row[j];
            }
        }
        return c;
    }

    /// <summary>XQuant rematerialization: [K | V] = deQ(Xq) [Wk | Wv], W given as d x n with n = 2 d_kv.</summary>
    public static float[] Remat(QuantizedMatrix xq, ReadOnlySpan<float> w, int n) =>
        MatMul(Dequantize(xq), w, xq.Rows, xq.Width, n);
}
