using XQuant.Kernels.Quantization;

namespace XQuant.Kernels.Fast;

public static partial class FastCpu
{
    /// <summary>C = A (m x k, dense) W with the blocked GEMM.</summary>
    public static float[] MatMul(float[] a, int m, PackedWeights w)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(w);
        var c = new float[(long)m * w.Columns];
        Gemm.Multiply(Dense(a, w.Rows), m, w, c);
        return c;
    }

    /// <summary>
    /// Fused XQuant rematerialization: [K | V] = deQ(Xq) [Wk | Wv] in one pass; X^ tiles are dequantized straight
    /// into the GEMM's packed A buffer and never written out as a matrix.
    /// </summary>
    public static float[] Remat(QuantizedMatrix xq, PackedWeights w)
    {
        ArgumentNullException.ThrowIfNull(xq);
        var c = new float[(long)xq.Rows * w.Columns];
        RematInto(xq, w, c);
        return c;
    }

    /// <summary>Remat into a caller-owned buffer (benchmarks reuse it).</summary>
    public static void RematInto(QuantizedMatrix xq, PackedWeights w, float[] c)
    {
        ArgumentNullException.ThrowIfNull(xq);
        ArgumentNullException.ThrowIfNull(w);
        if (xq.Width != w.Rows)
        {
            throw new ArgumentException($"X has width {xq.Width} but the weights have {w.Rows} rows", nameof(w));
        }
        Gemm.Multiply(Dequantizing(xq), xq.Rows, w, c);
    }

    /// <summary>A row source that copies from a dense row-major matrix with k columns.</summary>
    public static RowSegmentSource Dense(float[] a, int k) =>
        (row, col0, count, dst) => a.AsSpan((row * k) + col0, count).CopyTo(dst);

    /// <summary>A row source that dequantizes, optionally shifted by <paramref name="rowOffset"/> tokens (for tiles).</summary>
    public static RowSegmentSource Dequantizing(QuantizedMatrix q, int rowOffset = 0) =>
        (row, col0, count, dst) => DequantizeSegment(q, row + rowOffset, col0, count, dst);
}
