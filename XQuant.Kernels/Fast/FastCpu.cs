using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using XQuant.Kernels.Quantization;

namespace XQuant.Kernels.Fast;

/// <summary>
/// The fast CPU twins: Vector512 (AVX-512) arithmetic, Parallel.For over rows, a cache-blocked GEMM. Results:
/// quantization codes, scales and zeros bit-identical to <see cref="Reference.ScalarReference"/> (same division,
/// same floor(v + 0.5), same FP16 rounding, no FMA contraction in the quantizer); GEMM and attention outputs agree
/// within float tolerance (different summation order). Without AVX-512 the same code runs scalar loops.
/// </summary>
public static partial class FastCpu
{
    /// <summary>Whether the 512-bit paths run on this machine (otherwise scalar fallbacks, same results).</summary>
    public static bool Vectorized => Vector512.IsHardwareAccelerated && Avx512BW.IsSupported;

    /// <summary>Quantizes a rows x width matrix, bit-identical to the scalar reference.</summary>
    public static QuantizedMatrix Quantize(ReadOnlySpan<float> x, int rows, int width, QuantSpec spec)
    {
        var q = QuantizedMatrix.Allocate(rows, width, spec);
        QuantizeInto(x, q);
        return q;
    }

    /// <summary>Quantizes into a preallocated matrix (benchmarks reuse one to time the kernel alone).</summary>
    public static unsafe void QuantizeInto(ReadOnlySpan<float> x, QuantizedMatrix q)
    {
        ArgumentNullException.ThrowIfNull(q);
        if ((long)q.Rows * q.Width != x.Length)
        {
            InputCheck.Finite(x, q.Rows, q.Width);
        }
        // The finiteness check runs inside the parallel loops, on rows about to be quantized (a separate
        // single-threaded pass over the input cost as much as the quantization itself). A bad row stops its
        // worker; the full check then throws the reference's message naming the first bad element.
        int bad = 0;
        fixed (float* px = x)
        {
            var xp = (nint)px;
            if (q.Spec.Axis == QuantAxis.PerToken)
            {
                ParallelRows(q.Rows, q.Width, (r0, r1) =>
                {
                    if (!QuantizePerTokenRows((float*)xp, q, r0, r1))
                    {
                        Volatile.Write(ref bad, 1);
                    }
                });
            }
            else
            {
                int groups = QuantSpec.CeilDiv(q.Rows, q.Spec.GroupSize);
                Parallel.For(0, groups, tg =>
                {
                    if (!QuantizePerChannelGroup((float*)xp, q, tg))
                    {
                        Volatile.Write(ref bad, 1);
                    }
                });
            }
        }
        if (bad != 0)
        {
            InputCheck.Finite(x, q.Rows, q.Width);
        }
    }

    /// <summary>Splits rows into a few chunks per core, each at least ~64 KiB of input, so small inputs stay on one thread.</summary>
    internal static void ParallelRows(int rows, int width, Action<int, int> body)
    {
        int minRows = Math.Max(1, 16384 / Math.Max(1, width));
        int chunks = Math.Clamp(rows / minRows, 1, Environment.ProcessorCount * 4);
        if (chunks == 1)
        {
            body(0, rows);
            return;
        }
        Parallel.For(0, chunks, i => body((int)((long)rows * i / chunks), (int)((long)rows * (i + 1) / chunks)));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    /// <summary>Quantizes rows [r0, r1); false (and stops) at a row with NaN, Inf or |x| &gt; 65504.</summary>
    private static unsafe bool QuantizePerTokenRows(float* x, QuantizedMatrix q, int r0, int r1)
    {
        int width = q.Width, g = q.Spec.GroupSize, bits = q.Spec.Bits, maxCode = q.Spec.MaxCode;
        int groupsPerRow = QuantSpec.CeilDiv(width, g);
        byte[] codes = new byte[width + 64];
        Span<ushort> scales = MemoryMarshal.Cast<Half, ushort>(q.Scales.AsSpan());
        Span<ushort> zeros = MemoryMarshal.Cast<Half, ushort>(q.Zeros.AsSpan());
        fixed (byte* pc = codes)
        {
            for (int r = r0; r < r1; r++)
            {
                float* row = x + ((long)r * width);
                // Checked here, while the row is hot in L1: a separate pass over the input costs a full memory read.
                if (InputCheck.FirstBad(new ReadOnlySpan<float>(row, width)) >= 0)
                {
                    return false;
                }
                for (int gi = 0; gi < groupsPerRow; gi++)
                {
                    int c0 = gi * g, n = Math.Min(g, width - c0);
                    MinMax(row + c0, n, out float min, out float max);
                    QuantMath.ScaleZero(min, max, maxCode, out ushort sb, out ushort zb);
                    scales[(r * groupsPerRow) + gi] = sb;
                    zeros[(r * groupsPerRow) + gi] = zb;
                    CodesBroadcast(row + c0, n, HalfBits.ToFloat(sb), HalfBits.ToFloat(zb), maxCode, pc + c0);
                }
                Pack(new ReadOnlySpan<byte>(pc, width), q.Packed.AsSpan(r * q.RowBytes, q.RowBytes), bits);
            }
        }
        return true;
    }

    /// <summary>Quantizes one group of G token rows; false (and stops) at a row with NaN, Inf or |x| &gt; 65504.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe bool QuantizePerChannelGroup(float* x, QuantizedMatrix q, int tokenGroup)
    {
        int width = q.Width, g = q.Spec.GroupSize, bits = q.Spec.Bits, maxCode = q.Spec.MaxCode;
        int r0 = tokenGroup * g, r1 = Math.Min(q.Rows, r0 + g);
        float[] min = new float[width], max = new float[width], s = new float[width], z = new float[width];
        byte[] codes = new byte[width + 64];
        // Column-wise min/max: elementwise vector min over the group's rows.
        new ReadOnlySpan<float>(x + ((long)r0 * width), width).CopyTo(min);
        min.CopyTo(max.AsSpan());
        fixed (float* pmin = min, pmax = max, ps = s, pz = z)
        fixed (byte* pc = codes)
        {
            for (int r = r0; r < r1; r++)
            {
                float* row = x + ((long)r * width);
                if (InputCheck.FirstBad(new ReadOnlySpan<float>(row, width)) >= 0)
                {
                    return false;
                }
                int c = 0;
                if (Vector512.IsHardwareAccelerated)
                {
                    for (; c + 16 <= width; c += 16)
                    {
                        var v = Vector512.Load(row + c);
                        Vector512.Min(Vector512.Load(pmin + c), v).Store(pmin + c);
                        Vector512.Max(Vector512.Load(pmax + c), v).Store(pmax + c);
                    }
                }
                for (; c < width; c++)
                {
                    pmin[c] = Math.Min(pmin[c], row[c]);
                    pmax[c] = Math.Max(pmax[c], row[c]);
                }
            }
            for (int c = 0; c < width; c++)
            {
                QuantMath.ScaleZero(min[c], max[c], maxCode, out ushort sb, out ushort zb);
                q.Scales[(tokenGroup * width) + c] = BitConverter.UInt16BitsToHalf(sb);
                q.Zeros[(tokenGroup * width) + c] = BitConverter.UInt16BitsToHalf(zb);
                s[c] = HalfBits.ToFloat(sb);
                z[c] = HalfBits.ToFloat(zb);
            }
            for (int r = r0; r < r1; r++)
            {
                CodesPerColumn(x + ((long)r * width), width, ps, pz, maxCode, pc);
                Pack(new ReadOnlySpan<byte>(pc, width), q.Packed.AsSpan(r * q.RowBytes, q.RowBytes), bits);
            }
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void MinMax(float* p, int n, out float min, out float max)
    {
        int i = 0;
        min = p[0];
        max = p[0];
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var vmin = Vector512.Load(p);
            var vmax = vmin;
            for (i = 16; i + 16 <= n; i += 16)
            {
                var v = Vector512.Load(p + i);
                vmin = Vector512.Min(vmin, v);
                vmax = Vector512.Max(vmax, v);
            }
            // Tree reduction with constant lane indices: a loop over vmin[l] costs ~100 ns per group.
            var min128 = Vector128.Min(Vector256.Min(vmin.GetLower(), vmin.GetUpper()).GetLower(), Vector256.Min(vmin.GetLower(), vmin.GetUpper()).GetUpper());
            var max128 = Vector128.Max(Vector256.Max(vmax.GetLower(), vmax.GetUpper()).GetLower(), Vector256.Max(vmax.GetLower(), vmax.GetUpper()).GetUpper());
            min = Math.Min(Math.Min(min128.GetElement(0), min128.GetElement(1)), Math.Min(min128.GetElement(2), min128.GetElement(3)));
            max = Math.Max(Math.Max(max128.GetElement(0), max128.GetElement(1)), Math.Max(max128.GetElement(2), max128.GetElement(3)));
        }
        for (; i < n; i++)
        {
            min = Math.Min(min, p[i]);
            max = Math.Max(max, p[i]);
        }
    }

    /// <summary>Codes for n elements sharing one scale and zero; same float operations as QuantMath.Code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void CodesBroadcast(float* x, int n, float scale, float zero, int maxCode, byte* codes)
    {
        if (scale == 0f)
        {
            new Span<byte>(codes, n).Clear();
            return;
        }
        int i = 0;
        if (Vectorized)
        {
            var vs = Vector512.Create(scale);
            var vz = Vector512.Create(zero);
            var half = Vector512.Create(0.5f);
            var vmax = Vector512.Create((float)maxCode);
            for (; i + 16 <= n; i += 16)
            {
                // clamp(floor(t), 0, max) == trunc(clamp(t, 0, max)) for every t (floor = trunc once t >= 0), and one
                // vcvttps2dq is much cheaper than Floor plus .NET's saturating ConvertToInt32. Bit-identical codes.
                var v = ((Vector512.Load(x + i) - vz) / vs) + half;
                v = Vector512.Min(Vector512.Max(v, Vector512<float>.Zero), vmax);
                Avx512F.ConvertToVector128Byte(Avx512F.ConvertToVector512Int32WithTruncation(v)).Store(codes + i);
            }
        }
        for (; i < n; i++)
        {
            codes[i] = (byte)QuantMath.Code(x[i], scale, zero, maxCode);
        }
    }

    /// <summary>Codes for one row where each column has its own scale and zero (per-channel axis).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void CodesPerColumn(float* x, int n, float* scale, float* zero, int maxCode, byte* codes)
    {
        int i = 0;
        if (Vectorized)
        {
            var half = Vector512.Create(0.5f);
            var vmax = Vector512.Create((float)maxCode);
            for (; i + 16 <= n; i += 16)
            {
                var vs = Vector512.Load(scale + i);
                var v = ((Vector512.Load(x + i) - Vector512.Load(zero + i)) / vs) + half;
                v = Vector512.Min(Vector512.Max(v, Vector512<float>.Zero), vmax);
                // scale 0 means code 0; the division above gave Inf or NaN there, which this select discards.
                v = Vector512.ConditionalSelect(Vector512.Equals(vs, Vector512<float>.Zero), Vector512<float>.Zero, v);
                Avx512F.ConvertToVector128Byte(Avx512F.ConvertToVector512Int32WithTruncation(v)).Store(codes + i);
            }
        }
        for (; i < n; i++)
        {
            codes[i] = (byte)QuantMath.Code(x[i], scale[i], zero[i], maxCode);
        }
    }

    /// <summary>Packs one row of byte codes LSB-first (the layout of <see cref="BitPacking"/>), 64 codes per step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Pack(ReadOnlySpan<byte> codes, Span<byte> row, int bits)
    {
        int n = codes.Length, i = 0;
        fixed (byte* pc = codes, pr = row)
        {
            if (bits == 8)
            {
                codes.CopyTo(row);
                return;
            }
            if (Vectorized)
            {
                if (bits == 4)
                {
                    for (; i + 64 <= n; i += 64)
                    {
                        // ushort lane = c0 | c1 << 8; (x | x >> 4) & 0xFF = c0 | c1 << 4.
                        var x = Vector512.Load((ushort*)(pc + i));
                        Avx512BW.ConvertToVector256Byte(x | (x >> 4)).Store(pr + (i / 2));
                    }
                }
                else if (bits == 2)
                {
                    for (; i + 64 <= n; i += 64)
                    {
                        var x = Vector512.Load((uint*)(pc + i));
                        Avx512F.ConvertToVector128Byte(x | (x >> 6) | (x >> 12) | (x >> 18)).Store(pr + (i / 4));
                    }
                }
            }
            if (bits == 3)
            {
                for (; i + 8 <= n; i += 8)
                {
                    // Eight 3-bit codes -> 24 bits -> 3 bytes.
                    ulong x = Unsafe.ReadUnaligned<ulong>(pc + i);
                    ulong y = (x & 7) | ((x >> 5) & (7UL << 3)) | ((x >> 10) & (7UL << 6)) | ((x >> 15) & (7UL << 9))
                        | ((x >> 20) & (7UL << 12)) | ((x >> 25) & (7UL << 15)) | ((x >> 30) & (7UL << 18)) | ((x >> 35) & (7UL << 21));
                    byte* d = pr + (i / 8 * 3);
                    d[0] = (byte)y;
                    d[1] = (byte)(y >> 8);
                    d[2] = (byte)(y >> 16);
                }
            }
            // Tail: the remaining codes share their first byte with nothing written yet.
            int firstByte = (int)((long)i * bits / 8);
            row[firstByte..].Clear();
            for (; i < n; i++)
            {
                BitPacking.Write(row, 0, i, bits, pc[i]);
            }
        }
    }

    /// <summary>Dequantizes every element (rows in parallel).</summary>
    public static float[] Dequantize(QuantizedMatrix q)
    {
        ArgumentNullException.ThrowIfNull(q);
        var y = new float[(long)q.Rows * q.Width];
        ParallelRows(q.Rows, q.Width, (r0, r1) => DequantizeRows(q, r0, r1 - r0, y.AsSpan(r0 * q.Width, (r1 - r0) * q.Width)));
        return y;
    }

    /// <summary>Dequantizes rows [row0, row0 + count) into dst (count x width), bit-identical to the reference.</summary>
    public static void DequantizeRows(QuantizedMatrix q, int row0, int count, Span<float> dst)
    {
        ArgumentNullException.ThrowIfNull(q);
        for (int r = 0; r < count; r++)
        {
            DequantizeSegment(q, row0 + r, 0, q.Width, dst.Slice(r * q.Width, q.Width));
        }
    }

    /// <summary>
    /// Elements [col0, col0 + count) of one row. Scalar on purpose: in the fused GEMM it runs once per A tile and
    /// costs about 1/(2 n) of the tile's FLOPs.
    /// </summary>
    public static void DequantizeSegment(QuantizedMatrix q, int row, int col0, int count, Span<float> dst)
    {
        ArgumentNullException.ThrowIfNull(q);
        var spec = q.Spec;
        int bits = spec.Bits, mask = spec.MaxCode, width = q.Width;
        ReadOnlySpan<byte> packed = q.Packed.AsSpan(row * q.RowBytes, q.RowBytes);
        ReadOnlySpan<ushort> scales = MemoryMarshal.Cast<Half, ushort>(q.Scales.AsSpan());
        ReadOnlySpan<ushort> zeros = MemoryMarshal.Cast<Half, ushort>(q.Zeros.AsSpan());
        int lastGroup = -1;
        float s = 0, z = 0;
        for (int i = 0; i < count; i++)
        {
            int c = col0 + i;
            int gi = spec.GroupIndex(row, c, width);
            if (gi != lastGroup)
            {
                s = HalfBits.ToFloat(scales[gi]);
                z = HalfBits.ToFloat(zeros[gi]);
                lastGroup = gi;
            }
            int bit = c * bits;
            int word = packed[bit >> 3];
            if ((bit & 7) + bits > 8)
            {
                word |= packed[(bit >> 3) + 1] << 8;
            }
            dst[i] = QuantMath.Dequantize((word >> (bit & 7)) & mask, s, z);
        }
    }
}
