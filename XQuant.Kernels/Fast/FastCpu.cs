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

    /// <summary>Bits of |x| above FP16's largest finite value (65504 = 0x477FE000): Inf and NaN lie above it too.</summary>
    private const uint HalfMaxBits = 0x477FE000u;

    /// <summary>
    /// Quantizes rows [r0, r1); false (and stops) at a row with NaN, Inf or |x| &gt; 65504. One pass per group
    /// computes min, max and the range check (an integer max of |x|'s bits, which NaN cannot hide from); a second
    /// pass over the same group (in L1) computes codes; each row is packed from an L1 byte buffer.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe bool QuantizePerTokenRows(float* x, QuantizedMatrix q, int r0, int r1)
    {
        int width = q.Width, g = q.Spec.GroupSize, bits = q.Spec.Bits, maxCode = q.Spec.MaxCode;
        int groupsPerRow = QuantSpec.CeilDiv(width, g), rowBytes = q.RowBytes;
        byte[] codes = new byte[width + 64];
        // Every group a multiple of 64 codes: codes go from registers straight into the packed row.
        bool direct = Vectorized && g % 64 == 0 && width % 64 == 0 && (bits != 3 || Avx512Vbmi.IsSupported);
        // Per-group min, max, and the FP16-rounded scale and zero as floats, for one row.
        float[] meta = new float[4 * groupsPerRow];
        fixed (byte* pc = codes, packed = q.Packed)
        fixed (Half* ph = q.Scales, pzh = q.Zeros)
        fixed (float* gmin = meta)
        {
            float* gmax = gmin + groupsPerRow, gs = gmax + groupsPerRow, gz = gs + groupsPerRow;
            var scales = (ushort*)ph;
            var zeros = (ushort*)pzh;
            for (int r = r0; r < r1; r++)
            {
                float* row = x + ((long)r * width);
                byte* dst = packed + ((long)r * rowBytes);
                // Pass 1: min, max and the range check of every group of the row.
                var vbad = Vector512<uint>.Zero;
                bool bad = false;
                for (int gi = 0, c0 = 0; gi < groupsPerRow; gi++, c0 += g)
                {
                    MinMaxChecked(row + c0, Math.Min(g, width - c0), ref vbad, ref bad, out gmin[gi], out gmax[gi]);
                }
                if (bad || (Vectorized && Vector512.GreaterThanAny(vbad, Vector512.Create(HalfMaxBits))))
                {
                    return false;
                }
                // Scales and zeros of the row's groups, 16 at a time.
                long g0 = (long)r * groupsPerRow;
                ScaleZeroMany(gmin, gmax, groupsPerRow, maxCode, scales + g0, zeros + g0, gs, gz);
                // Pass 2 (the row is still in L1): codes, packed in registers 64 at a time when groups allow.
                if (direct)
                {
                    // Pass 1 streams from DRAM and pass 2 computes from L1; prefetching the next row during
                    // pass 2 keeps memory busy while the codes are computed (into L1; measured faster than into L2 or two rows ahead).
                    byte* next = (byte*)(row + width);
                    bool prefetch = r + 1 < r1;
                    for (int gi = 0, c0 = 0; gi < groupsPerRow; gi++, c0 += g)
                    {
                        int n = Math.Min(g, width - c0);
                        if (prefetch)
                        {
                            for (int b = c0 * 4, e = (c0 + n) * 4; b < e; b += 64)
                            {
                                Sse.Prefetch0(next + b);
                            }
                        }
                        CodesPacked64(row + c0, n, gs[gi], gz[gi], maxCode, bits, dst + (c0 * bits / 8));
                    }
                    continue;
                }
                // Otherwise byte codes into an L1 buffer, then packed; 8-bit codes are the packed row itself.
                byte* rowCodes = bits == 8 ? dst : pc;
                for (int gi = 0, c0 = 0; gi < groupsPerRow; gi++, c0 += g)
                {
                    CodesBroadcast(row + c0, Math.Min(g, width - c0), gs[gi], gz[gi], maxCode, rowCodes + c0);
                }
                if (bits != 8)
                {
                    Pack(new ReadOnlySpan<byte>(pc, width), new Span<byte>(dst, rowBytes), bits);
                }
            }
        }
        return true;
    }

    /// <summary>
    /// Column strip of the per-channel path: 64 columns (four vectors), so a strip's min, max and NaN check over all
    /// G rows stay in registers, and its scales and zeros stay in registers while its rows are coded.
    /// </summary>
    private const int ChannelStrip = 64;

    /// <summary>How many strips ahead the per-channel path prefetches (2 x 256 B per row, 16 KiB apart).</summary>
    private const int ChannelPrefetchStrips = 2;

    /// <summary>
    /// Quantizes one group of G token rows, 64 columns at a time: a min/max fold in registers over the strip's G
    /// rows, its scales and zeros, then its codes row by row; the strip two ahead is prefetched (half of its lines
    /// during the fold, half during the codes). False (and stops) at a row with NaN, Inf or |x| &gt; 65504.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe bool QuantizePerChannelGroup(float* x, QuantizedMatrix q, int tokenGroup)
    {
        int width = q.Width, g = q.Spec.GroupSize, bits = q.Spec.Bits, maxCode = q.Spec.MaxCode, rowBytes = q.RowBytes;
        int r0 = tokenGroup * g, r1 = Math.Min(q.Rows, r0 + g), n = r1 - r0;
        float* min = stackalloc float[ChannelStrip];
        float* max = stackalloc float[ChannelStrip];
        float* s = stackalloc float[ChannelStrip];
        float* z = stackalloc float[ChannelStrip];
        byte* pc = stackalloc byte[ChannelStrip + 64];
        bool direct = Vectorized && (bits != 3 || Avx512Vbmi.IsSupported);
        fixed (byte* packed = q.Packed)
        fixed (Half* ph = q.Scales, pzh = q.Zeros)
        {
            var scales = (ushort*)ph;
            var zeros = (ushort*)pzh;
            float* group = x + ((long)r0 * width);
            byte* groupCodes = packed + ((long)r0 * rowBytes);
            // Strips start at multiples of 64 columns, so every strip packs whole bytes (3-bit: 8 codes = 3 bytes).
            for (int c = 0; c < width; c += ChannelStrip)
            {
                int w = Math.Min(ChannelStrip, width - c);
                float* strip = group + c;
                byte* dst = groupCodes + ((long)c * bits / 8);
                bool whole = direct && w == ChannelStrip;
                int ahead = c + (ChannelPrefetchStrips * ChannelStrip);
                byte* prefetch = whole && ahead + ChannelStrip <= width ? (byte*)(group + ahead) : null;
                if (!(whole ? MinMaxStrip64(strip, width, n, min, max, prefetch) : MinMaxColumns(strip, width, n, w, min, max)))
                {
                    return false;
                }
                for (int i = 0; i < w; i++)
                {
                    if (min[i] == 0f)
                    {
                        // vminps/vmaxps pick an operand for -0 vs +0; the reference's Math.Min/Max order -0 below +0.
                        ExactColumnMinMax(strip + i, width, n, out min[i], out max[i]);
                    }
                }
                ScaleZeroMany(min, max, w, maxCode, scales + ((long)tokenGroup * width) + c, zeros + ((long)tokenGroup * width) + c, s, z);
                if (whole)
                {
                    CodesStrip64(strip, width, n, s, z, maxCode, bits, dst, rowBytes, prefetch == null ? null : prefetch + 128);
                    continue;
                }
                // The last (width mod 64) columns, or no AVX-512: byte codes, then packed.
                int bytes = (int)((((long)w * bits) + 7) / 8);
                for (int r = 0; r < n; r++)
                {
                    CodesPerColumn(strip + ((long)r * width), w, s, z, maxCode, pc);
                    Pack(new ReadOnlySpan<byte>(pc, w), new Span<byte>(dst + ((long)r * rowBytes), bytes), bits);
                }
            }
        }
        return true;
    }

    /// <summary>
    /// Column-wise min and max of n rows x 64 columns (row stride <paramref name="stride"/>) in registers; false if
    /// any |x| &gt; 65504, Inf or NaN. The range check is on the min and max; NaN (which vminps/vmaxps can drop) is
    /// caught by a running sum per column (NaN stays NaN; a sum of 65504-bounded values cannot overflow). With
    /// <paramref name="prefetch"/>, two lines of each row at that address are prefetched.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe bool MinMaxStrip64(float* x, int stride, int n, float* min, float* max, byte* prefetch)
    {
        var mn0 = Vector512.Load(x);
        var mn1 = Vector512.Load(x + 16);
        var mn2 = Vector512.Load(x + 32);
        var mn3 = Vector512.Load(x + 48);
        var mx0 = mn0;
        var mx1 = mn1;
        var mx2 = mn2;
        var mx3 = mn3;
        var s0 = Vector512<float>.Zero;
        var s1 = s0;
        var s2 = s0;
        var s3 = s0;
        for (int r = 0; r < n; r++)
        {
            float* row = x + ((long)r * stride);
            if (prefetch != null)
            {
                byte* p = prefetch + ((long)r * stride * 4);
                Sse.Prefetch0(p);
                Sse.Prefetch0(p + 64);
            }
            var v0 = Vector512.Load(row);
            var v1 = Vector512.Load(row + 16);
            var v2 = Vector512.Load(row + 32);
            var v3 = Vector512.Load(row + 48);
            // Same operand order as the memory fold this replaced (running value first).
            mn0 = Avx512F.Min(mn0, v0);
            mx0 = Avx512F.Max(mx0, v0);
            s0 += v0;
            mn1 = Avx512F.Min(mn1, v1);
            mx1 = Avx512F.Max(mx1, v1);
            s1 += v1;
            mn2 = Avx512F.Min(mn2, v2);
            mx2 = Avx512F.Max(mx2, v2);
            s2 += v2;
            mn3 = Avx512F.Min(mn3, v3);
            mx3 = Avx512F.Max(mx3, v3);
            s3 += v3;
        }
        mn0.Store(min);
        mn1.Store(min + 16);
        mn2.Store(min + 32);
        mn3.Store(min + 48);
        mx0.Store(max);
        mx1.Store(max + 16);
        mx2.Store(max + 32);
        mx3.Store(max + 48);
        var limit = Vector512.Create(QuantMath.HalfMaxValue);
        var high = Avx512F.Max(Avx512F.Max(mx0, mx1), Avx512F.Max(mx2, mx3));
        var low = Avx512F.Min(Avx512F.Min(mn0, mn1), Avx512F.Min(mn2, mn3));
        var sum = (s0 + s1) + (s2 + s3);
        // sum - sum is 0 for a finite sum and NaN for NaN or +-Inf.
        return !Vector512.GreaterThanAny(high, limit) && !Vector512.LessThanAny(low, -limit)
            && Vector512.EqualsAll(sum - sum, Vector512<float>.Zero);
    }

    /// <summary>Column-wise min and max of n rows x w columns (row stride <paramref name="stride"/>); false if any |x| &gt; 65504, Inf or NaN.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe bool MinMaxColumns(float* x, int stride, int n, int w, float* min, float* max)
    {
        new ReadOnlySpan<float>(x, w).CopyTo(new Span<float>(min, w));
        new ReadOnlySpan<float>(x, w).CopyTo(new Span<float>(max, w));
        var vbad = Vector512<uint>.Zero;
        var absMask = Vector512.Create(0x7FFFFFFFu);
        bool bad = false;
        for (int r = 0; r < n; r++)
        {
            float* row = x + ((long)r * stride);
            int c = 0;
            if (Vectorized)
            {
                for (; c + 16 <= w; c += 16)
                {
                    var v = Vector512.Load(row + c);
                    vbad = Vector512.Max(vbad, v.AsUInt32() & absMask);
                    Avx512F.Min(Vector512.Load(min + c), v).Store(min + c);
                    Avx512F.Max(Vector512.Load(max + c), v).Store(max + c);
                }
            }
            for (; c < w; c++)
            {
                float v = row[c];
                bad |= !(MathF.Abs(v) <= QuantMath.HalfMaxValue);
                min[c] = Math.Min(min[c], v);
                max[c] = Math.Max(max[c], v);
            }
        }
        return !bad && !(Vectorized && Vector512.GreaterThanAny(vbad, Vector512.Create(HalfMaxBits)));
    }

    /// <summary>
    /// Codes of n rows x 64 columns (row stride <paramref name="stride"/>), each column with its own scale and zero
    /// (kept in registers), packed like <see cref="CodesPacked64"/> into rows <paramref name="rowBytes"/> apart; a
    /// column with scale 0 gets code 0. With <paramref name="prefetch"/>, two lines of each row there are prefetched.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void CodesStrip64(float* x, int stride, int n, float* scale, float* zero, int maxCode, int bits, byte* dst, int rowBytes, byte* prefetch)
    {
        var vmax = Vector512.Create((float)maxCode);
        var s0 = Vector512.Load(scale);
        var s1 = Vector512.Load(scale + 16);
        var s2 = Vector512.Load(scale + 32);
        var s3 = Vector512.Load(scale + 48);
        var z0 = Vector512.Load(zero);
        var z1 = Vector512.Load(zero + 16);
        var z2 = Vector512.Load(zero + 32);
        var z3 = Vector512.Load(zero + 48);
        var order = Vector512.Create(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
        var gather = Vector512.Create(
            (byte)0, 1, 2, 8, 9, 10, 16, 17, 18, 24, 25, 26, 32, 33, 34, 40, 41, 42, 48, 49, 50, 56, 57, 58,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        for (int r = 0; r < n; r++, dst += rowBytes)
        {
            float* row = x + ((long)r * stride);
            if (prefetch != null)
            {
                byte* p = prefetch + ((long)r * stride * 4);
                Sse.Prefetch0(p);
                Sse.Prefetch0(p + 64);
            }
            var c0 = ColumnCodes(Vector512.Load(row), s0, z0, vmax);
            var c1 = ColumnCodes(Vector512.Load(row + 16), s1, z1, vmax);
            var c2 = ColumnCodes(Vector512.Load(row + 32), s2, z2, vmax);
            var c3 = ColumnCodes(Vector512.Load(row + 48), s3, z3, vmax);
            var w01 = Avx512BW.PackUnsignedSaturate(c0, c1).AsInt16();
            var w23 = Avx512BW.PackUnsignedSaturate(c2, c3).AsInt16();
            var codes = Avx512F.PermuteVar16x32(Avx512BW.PackUnsignedSaturate(w01, w23).AsInt32(), order);
            switch (bits)
            {
                case 8:
                    codes.AsByte().Store(dst);
                    break;
                case 4:
                    {
                        var u = codes.AsUInt16();
                        Avx512BW.ConvertToVector256Byte(u | (u >> 4)).Store(dst);
                        break;
                    }
                case 2:
                    {
                        var u = codes.AsUInt32();
                        Avx512F.ConvertToVector128Byte(u | (u >> 6) | (u >> 12) | (u >> 18)).Store(dst);
                        break;
                    }
                default:
                    {
                        var u16 = codes.AsUInt16();
                        var y = (u16 | (u16 >> 5)) & Vector512.Create((ushort)0x3F);
                        var u32 = y.AsUInt32();
                        var zz = (u32 | (u32 >> 10)) & Vector512.Create(0xFFFu);
                        var u64 = zz.AsUInt64();
                        var p = Avx512Vbmi.PermuteVar64x8((u64 | (u64 >> 20)).AsByte(), gather);
                        p.GetLower().GetLower().Store(dst);
                        *(ulong*)(dst + 16) = p.AsUInt64().GetElement(2);
                        break;
                    }
            }
        }
    }

    /// <summary>QuantMath.Code on 16 columns; scale-0 columns give 0 (the division's Inf or NaN is discarded).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> ColumnCodes(Vector512<float> v, Vector512<float> vs, Vector512<float> vz, Vector512<float> vmax)
    {
        var t = Avx512F.Min(Avx512F.Max(((v - vz) / vs) + Vector512.Create(0.5f), Vector512<float>.Zero), vmax);
        t = Vector512.ConditionalSelect(Vector512.Equals(vs, Vector512<float>.Zero), Vector512<float>.Zero, t);
        return Avx512F.ConvertToVector512Int32WithTruncation(t);
    }

    /// <summary>The reference's sequential Math.Min/Math.Max over one column of a token group.</summary>
    private static unsafe void ExactColumnMinMax(float* p, int stride, int n, out float min, out float max)
    {
        min = p[0];
        max = p[0];
        for (int i = 0; i < n; i++)
        {
            float v = p[(long)i * stride];
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
    }

    /// <summary>
    /// Min and max of n elements exactly as the reference's Math.Min/Math.Max fold, and the range check: |x|'s bits
    /// go into <paramref name="vbad"/> (integer max; NaN and Inf bits exceed 65504's), scalar tails set
    /// <paramref name="bad"/>. Uses vminps/vmaxps (no NaN handling needed: NaN input is rejected by the check).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void MinMaxChecked(float* p, int n, ref Vector512<uint> vbad, ref bool bad, out float min, out float max)
    {
        int i = 0;
        min = p[0];
        max = p[0];
        if (Vectorized && n >= 16)
        {
            var absMask = Vector512.Create(0x7FFFFFFFu);
            var vmin = Vector512.Load(p);
            var vmax = vmin;
            var vb = vbad;
            for (i = 16; i + 16 <= n; i += 16)
            {
                var v = Vector512.Load(p + i);
                vmin = Avx512F.Min(vmin, v);
                vmax = Avx512F.Max(vmax, v);
                vb = Vector512.Max(vb, v.AsUInt32() & absMask);
            }
            vbad = Vector512.Max(vb, vmin.AsUInt32() & absMask);
            vbad = Vector512.Max(vbad, vmax.AsUInt32() & absMask);
            min = HorizontalMin(vmin);
            max = HorizontalMax(vmax);
        }
        for (; i < n; i++)
        {
            float v = p[i];
            bad |= !(MathF.Abs(v) <= QuantMath.HalfMaxValue);
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        if (min == 0f)
        {
            // vminps/vmaxps return an operand for -0 vs +0; the reference orders -0 below +0 (zero = min keeps the
            // sign in FP16, and max - min may be -0). Rare: redo the group with the reference's fold.
            min = p[0];
            max = p[0];
            for (i = 0; i < n; i++)
            {
                min = Math.Min(min, p[i]);
                max = Math.Max(max, p[i]);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HorizontalMin(Vector512<float> v)
    {
        var a = Avx.Min(v.GetLower(), v.GetUpper());
        var b = Sse.Min(a.GetLower(), a.GetUpper());
        b = Sse.Min(b, Sse.MoveHighToLow(b, b));
        return Sse.MinScalar(b, Sse.Shuffle(b, b, 1)).ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HorizontalMax(Vector512<float> v)
    {
        var a = Avx.Max(v.GetLower(), v.GetUpper());
        var b = Sse.Max(a.GetLower(), a.GetUpper());
        b = Sse.Max(b, Sse.MoveHighToLow(b, b));
        return Sse.MaxScalar(b, Sse.Shuffle(b, b, 1)).ToScalar();
    }

    /// <summary>Codes for n elements sharing one scale and zero; same float operations as QuantMath.Code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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
                // t is never NaN (finite input, scale > 0), so the native vmaxps/vminps clamp is exact.
                var v = ((Vector512.Load(x + i) - vz) / vs) + half;
                v = Avx512F.Min(Avx512F.Max(v, Vector512<float>.Zero), vmax);
                Avx512F.ConvertToVector128Byte(Avx512F.ConvertToVector512Int32WithTruncation(v)).Store(codes + i);
            }
        }
        for (; i < n; i++)
        {
            codes[i] = (byte)QuantMath.Code(x[i], scale, zero, maxCode);
        }
    }

    /// <summary>
    /// Codes for n elements (a multiple of 64) sharing one scale and zero, packed LSB-first into n x bits / 8 bytes
    /// at <paramref name="dst"/> without a byte buffer: four vectors of codes narrow to 64 bytes (vpackusdw,
    /// vpackuswb, one vpermd to undo the lane interleave), which pack by shifts and one narrowing per bit width.
    /// Not inlined: on its own the loop keeps every constant in a register.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void CodesPacked64(float* x, int n, float scale, float zero, int maxCode, int bits, byte* dst)
    {
        if (scale == 0f)
        {
            new Span<byte>(dst, n * bits / 8).Clear();
            return;
        }
        var vs = Vector512.Create(scale);
        var vz = Vector512.Create(zero);
        var vmax = Vector512.Create((float)maxCode);
        int i = 0;
        switch (bits)
        {
            case 8:
                for (; i < n; i += 64, dst += 64)
                {
                    Codes64(x + i, vs, vz, vmax).AsByte().Store(dst);
                }
                break;
            case 4:
                for (; i < n; i += 64, dst += 32)
                {
                    // ushort lane = c0 | c1 << 8; (x | x >> 4) & 0xFF = c0 | c1 << 4.
                    var u = Codes64(x + i, vs, vz, vmax).AsUInt16();
                    Avx512BW.ConvertToVector256Byte(u | (u >> 4)).Store(dst);
                }
                break;
            case 2:
                for (; i < n; i += 64, dst += 16)
                {
                    var u = Codes64(x + i, vs, vz, vmax).AsUInt32();
                    Avx512F.ConvertToVector128Byte(u | (u >> 6) | (u >> 12) | (u >> 18)).Store(dst);
                }
                break;
            default:
                {
                    // 3 bits: 2 codes -> 6 bits per ushort, 4 -> 12 per uint, 8 -> 24 per ulong; vpermb gathers bytes 0-2
                    // of each ulong into 24 bytes.
                    var gather = Vector512.Create(
                        (byte)0, 1, 2, 8, 9, 10, 16, 17, 18, 24, 25, 26, 32, 33, 34, 40, 41, 42, 48, 49, 50, 56, 57, 58,
                        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
                    for (; i < n; i += 64, dst += 24)
                    {
                        var u16 = Codes64(x + i, vs, vz, vmax).AsUInt16();
                        var y = (u16 | (u16 >> 5)) & Vector512.Create((ushort)0x3F);
                        var u32 = y.AsUInt32();
                        var z = (u32 | (u32 >> 10)) & Vector512.Create(0xFFFu);
                        var u64 = z.AsUInt64();
                        var packed = Avx512Vbmi.PermuteVar64x8((u64 | (u64 >> 20)).AsByte(), gather);
                        packed.GetLower().GetLower().Store(dst);
                        *(ulong*)(dst + 16) = packed.AsUInt64().GetElement(2);
                    }
                    break;
                }
        }
    }

    /// <summary>64 codes as bytes in order: QuantMath.Code's operations on four vectors, then narrowed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<int> Codes64(float* x, Vector512<float> vs, Vector512<float> vz, Vector512<float> vmax)
    {
        // Subtract, IEEE divide, add 0.5, clamp, truncate (see CodesBroadcast for why truncation equals floor here).
        var half = Vector512.Create(0.5f);
        var c0 = Avx512F.ConvertToVector512Int32WithTruncation(Avx512F.Min(Avx512F.Max(((Vector512.Load(x) - vz) / vs) + half, Vector512<float>.Zero), vmax));
        var c1 = Avx512F.ConvertToVector512Int32WithTruncation(Avx512F.Min(Avx512F.Max(((Vector512.Load(x + 16) - vz) / vs) + half, Vector512<float>.Zero), vmax));
        var c2 = Avx512F.ConvertToVector512Int32WithTruncation(Avx512F.Min(Avx512F.Max(((Vector512.Load(x + 32) - vz) / vs) + half, Vector512<float>.Zero), vmax));
        var c3 = Avx512F.ConvertToVector512Int32WithTruncation(Avx512F.Min(Avx512F.Max(((Vector512.Load(x + 48) - vz) / vs) + half, Vector512<float>.Zero), vmax));
        var w01 = Avx512BW.PackUnsignedSaturate(c0, c1).AsInt16();
        var w23 = Avx512BW.PackUnsignedSaturate(c2, c3).AsInt16();
        // After the two packs, dword j of 128-bit lane L holds codes 4L..4L+3 of vector j; this puts them in order.
        return Avx512F.PermuteVar16x32(Avx512BW.PackUnsignedSaturate(w01, w23).AsInt32(), Vector512.Create(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15));
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
                // Native clamp: a NaN from 0 / 0 (scale 0) becomes 0 in vmaxps(v, 0) (it returns the second operand),
                // and the select below makes every scale-0 code 0 anyway.
                v = Avx512F.Min(Avx512F.Max(v, Vector512<float>.Zero), vmax);
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
        if (q.Spec.Axis == QuantAxis.PerChannel && count > 1)
        {
            DequantizeRowsPerChannel(q, row0, count, dst);
            return;
        }
        for (int r = 0; r < count; r++)
        {
            DequantizeSegment(q, row0 + r, 0, q.Width, dst.Slice(r * q.Width, q.Width));
        }
    }

    /// <summary>
    /// Per-channel rows share one scale and zero per column for each block of G rows: convert them from FP16 once
    /// per block instead of once per element (the conversion is integer code and cost more than the dequantization).
    /// Same floats, same arithmetic: bit-identical to <see cref="DequantizeSegment"/>.
    /// </summary>
    private static void DequantizeRowsPerChannel(QuantizedMatrix q, int row0, int count, Span<float> dst)
    {
        var spec = q.Spec;
        int bits = spec.Bits, mask = spec.MaxCode, width = q.Width, g = spec.GroupSize;
        ReadOnlySpan<ushort> scales = MemoryMarshal.Cast<Half, ushort>(q.Scales.AsSpan());
        ReadOnlySpan<ushort> zeros = MemoryMarshal.Cast<Half, ushort>(q.Zeros.AsSpan());
        float[] s = System.Buffers.ArrayPool<float>.Shared.Rent(width);
        float[] z = System.Buffers.ArrayPool<float>.Shared.Rent(width);
        try
        {
            int block = -1;
            for (int r = 0; r < count; r++)
            {
                int row = row0 + r;
                if (row / g != block)
                {
                    block = row / g;
                    int baseIndex = block * width;
                    for (int c = 0; c < width; c++)
                    {
                        s[c] = HalfBits.ToFloat(scales[baseIndex + c]);
                        z[c] = HalfBits.ToFloat(zeros[baseIndex + c]);
                    }
                }
                ReadOnlySpan<byte> packed = q.Packed.AsSpan(row * q.RowBytes, q.RowBytes);
                var d = dst.Slice(r * width, width);
                for (int c = 0; c < width; c++)
                {
                    d[c] = QuantMath.Dequantize(Code(packed, c * bits, bits, mask), s[c], z[c]);
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(s);
            System.Buffers.ArrayPool<float>.Shared.Return(z);
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
        if (spec.Axis == QuantAxis.PerToken)
        {
            // One scale and zero per run of a group's columns: no group index per element.
            int g = spec.GroupSize;
            for (int i = 0; i < count;)
            {
                int c = col0 + i;
                int gi = spec.GroupIndex(row, c, width);
                float s = HalfBits.ToFloat(scales[gi]);
                float z = HalfBits.ToFloat(zeros[gi]);
                int end = Math.Min(count, i + (g - (c % g)));
                for (; i < end; i++)
                {
                    dst[i] = QuantMath.Dequantize(Code(packed, (col0 + i) * bits, bits, mask), s, z);
                }
            }
            return;
        }
        // Per-channel: every column has its own group for this row's block of G tokens.
        int baseIndex = (row / spec.GroupSize) * width;
        for (int i = 0; i < count; i++)
        {
            int c = col0 + i;
            dst[i] = QuantMath.Dequantize(Code(packed, c * bits, bits, mask), HalfBits.ToFloat(scales[baseIndex + c]), HalfBits.ToFloat(zeros[baseIndex + c]));
        }
    }

    /// <summary>The code that starts at bit <paramref name="bit"/> of a packed row (LSB first; a code may straddle two bytes).</summary>
    private static int Code(ReadOnlySpan<byte> packed, int bit, int bits, int mask)
    {
        int word = packed[bit >> 3];
        if ((bit & 7) + bits > 8)
        {
            word |= packed[(bit >> 3) + 1] << 8;
        }
        return (word >> (bit & 7)) & mask;
    }
}
