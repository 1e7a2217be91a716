using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace XQuant.Kernels.Fast;

/// <summary>
/// Fills A[row, col0 .. col0 + count) as floats: a plain copy for a dense A, dequantization for a quantized one.
/// This is where the remat GEMM fuses dequantization: X^ exists only as the packed A tile, never as a matrix.
/// </summary>
public delegate void RowSegmentSource(int row, int col0, int count, Span<float> destination);

/// <summary>
/// C (m x n) = A (m x k) W (k x n), GotoBLAS-style: per block of <see cref="Mc"/> rows and <see cref="PackedWeights.Kc"/>
/// columns of A, the A tile is produced (copied or dequantized) into an MR-interleaved buffer that stays in L2, then
/// an 8 x 32 register-blocked micro-kernel (16 AVX-512 accumulators, FMA) sweeps every weight panel.
/// </summary>
public static class Gemm
{
    public const int Mr = 8;
    public const int Mc = 96;

    /// <summary>Multiplies rows [0, m) in parallel blocks of <see cref="Mc"/> rows.</summary>
    public static void Multiply(RowSegmentSource a, int m, PackedWeights w, float[] c)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(c);
        if (c.Length < (long)m * w.Columns)
        {
            throw new ArgumentException($"C holds {c.Length} floats, needs {m} x {w.Columns}", nameof(c));
        }
        int blocks = (m + Mc - 1) / Mc;
        if (blocks == 1)
        {
            MultiplyRows(a, 0, m, w, c);
            return;
        }
        Parallel.For(0, blocks, b => MultiplyRows(a, b * Mc, Math.Min(Mc, m - (b * Mc)), w, c));
    }

    /// <summary>One thread's share: rows [row0, row0 + rows), rows &lt;= Mc; C rows are written at their own offset.</summary>
    // Full optimization from the first call: a benchmark calls these a handful of times, too few for tiering.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void MultiplyRows(RowSegmentSource a, int row0, int rows, PackedWeights w, float[] c)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(c);
        int k = w.Rows, n = w.Columns, kcMax = PackedWeights.Kc, nr = PackedWeights.Nr;
        int mPadded = (rows + Mr - 1) / Mr * Mr;
        float[] apack = ArrayPool<float>.Shared.Rent(mPadded * kcMax);
        float[] segment = ArrayPool<float>.Shared.Rent(kcMax);
        float[] edge = ArrayPool<float>.Shared.Rent(Mr * nr);
        try
        {
            fixed (float* pa = apack, pw = w.Data, pcc = c, pe = edge)
            {
                for (int pc = 0; pc < k; pc += kcMax)
                {
                    int kc = Math.Min(kcMax, k - pc);
                    // Produce the A tile: row i of the tile goes to lane i % Mr of micro-panel i / Mr.
                    for (int i = 0; i < mPadded; i++)
                    {
                        float* dst = pa + ((i / Mr) * kc * Mr) + (i % Mr);
                        if (i < rows)
                        {
                            a(row0 + i, pc, kc, segment.AsSpan(0, kc));
                            for (int p = 0; p < kc; p++)
                            {
                                dst[p * Mr] = segment[p];
                            }
                        }
                        else
                        {
                            for (int p = 0; p < kc; p++)
                            {
                                dst[p * Mr] = 0f;
                            }
                        }
                    }
                    bool accumulate = pc > 0;
                    for (int jp = 0; jp < w.Panels; jp++)
                    {
                        float* bp = pw + w.BlockOffset(pc, jp, kc);
                        int j0 = jp * nr, nj = Math.Min(nr, n - j0);
                        for (int ir = 0; ir < mPadded; ir += Mr)
                        {
                            int mi = Math.Min(Mr, rows - ir);
                            float* cp = pcc + ((long)(row0 + ir) * n) + j0;
                            if (mi == Mr && nj == nr)
                            {
                                Micro(pa + (ir * kc), bp, kc, cp, n, accumulate);
                            }
                            else
                            {
                                // Edge tile: compute into a full 8 x 32 buffer, copy the valid part.
                                for (int r = 0; r < Mr; r++)
                                {
                                    for (int j = 0; j < nr; j++)
                                    {
                                        pe[(r * nr) + j] = accumulate && r < mi && j < nj ? cp[((long)r * n) + j] : 0f;
                                    }
                                }
                                Micro(pa + (ir * kc), bp, kc, pe, nr, accumulate: true);
                                for (int r = 0; r < mi; r++)
                                {
                                    for (int j = 0; j < nj; j++)
                                    {
                                        cp[((long)r * n) + j] = pe[(r * nr) + j];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(apack);
            ArrayPool<float>.Shared.Return(segment);
            ArrayPool<float>.Shared.Return(edge);
        }
    }

    private static unsafe void Micro(float* a, float* b, int kc, float* c, int ldc, bool accumulate)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Micro512(a, b, kc, c, ldc, accumulate);
            return;
        }
        // Portable fallback: same tile, scalar arithmetic.
        Span<float> acc = stackalloc float[Mr * PackedWeights.Nr];
        acc.Clear();
        for (int p = 0; p < kc; p++)
        {
            for (int r = 0; r < Mr; r++)
            {
                float av = a[(p * Mr) + r];
                for (int j = 0; j < PackedWeights.Nr; j++)
                {
                    acc[(r * PackedWeights.Nr) + j] += av * b[(p * PackedWeights.Nr) + j];
                }
            }
        }
        for (int r = 0; r < Mr; r++)
        {
            for (int j = 0; j < PackedWeights.Nr; j++)
            {
                c[((long)r * ldc) + j] = acc[(r * PackedWeights.Nr) + j] + (accumulate ? c[((long)r * ldc) + j] : 0f);
            }
        }
    }

    // Full optimization from the first call: a benchmark calls these a handful of times, too few for tiering.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Micro512(float* a, float* b, int kc, float* c, int ldc, bool accumulate)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(a1, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(a2, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(a3, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(a4, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(a5, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(a5, b1, c51);
            var a6 = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(a6, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(a6, b1, c61);
            var a7 = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(a7, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(a7, b1, c71);
            a += Mr;
            b += PackedWeights.Nr;
        }
        Store(c, c00, c01, accumulate);
        Store(c + ldc, c10, c11, accumulate);
        Store(c + (2L * ldc), c20, c21, accumulate);
        Store(c + (3L * ldc), c30, c31, accumulate);
        Store(c + (4L * ldc), c40, c41, accumulate);
        Store(c + (5L * ldc), c50, c51, accumulate);
        Store(c + (6L * ldc), c60, c61, accumulate);
        Store(c + (7L * ldc), c70, c71, accumulate);
    }

    private static unsafe void Store(float* c, Vector512<float> lo, Vector512<float> hi, bool accumulate)
    {
        if (accumulate)
        {
            lo += Vector512.Load(c);
            hi += Vector512.Load(c + 16);
        }
        lo.Store(c);
        hi.Store(c + 16);
    }
}
