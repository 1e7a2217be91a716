using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using XQuant.Kernels.Quantization;

namespace XQuant.Kernels.Fast;

public static partial class FastCpu
{
    /// <summary>
    /// <see cref="QuantMath.ScaleZero"/> for many groups (vectorized): FP16 bits of each scale and zero, and the
    /// floats those bits hold. Bit-identical to the scalar code; the per-token quantizer runs it once per row.
    /// </summary>
    public static unsafe void ScaleZero(ReadOnlySpan<float> min, ReadOnlySpan<float> max, int maxCode, Span<ushort> scaleBits, Span<ushort> zeroBits, Span<float> scale, Span<float> zero)
    {
        int n = min.Length;
        if (max.Length != n || scaleBits.Length < n || zeroBits.Length < n || scale.Length < n || zero.Length < n)
        {
            throw new ArgumentException("max must be as long as min, and every output at least as long");
        }
        fixed (float* pmin = min, pmax = max, ps = scale, pz = zero)
        fixed (ushort* psb = scaleBits, pzb = zeroBits)
        {
            ScaleZeroMany(pmin, pmax, n, maxCode, psb, pzb, ps, pz);
        }
    }

    /// <summary>
    /// QuantMath.ScaleZero for n groups at once (16 per vector step): scale = (max - min) / maxCode and zero = min
    /// rounded to FP16 bits exactly like <see cref="HalfBits.FromFloat"/>, plus the floats those bits hold
    /// (<see cref="HalfBits.ToFloat"/>), which the code pass divides by. A test compares it with the scalar path
    /// for every FP16 value and the midpoints between them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void ScaleZeroMany(float* min, float* max, int n, int maxCode, ushort* scaleBits, ushort* zeroBits, float* scale, float* zero)
    {
        int i = 0;
        if (Vectorized)
        {
            var vcode = Vector512.Create((float)maxCode);
            for (; i + 16 <= n; i += 16)
            {
                var vmin = Vector512.Load(min + i);
                var s = HalfBitsVector((Vector512.Load(max + i) - vmin) / vcode);
                var z = HalfBitsVector(vmin);
                Avx512F.ConvertToVector256UInt16(s).Store(scaleBits + i);
                Avx512F.ConvertToVector256UInt16(z).Store(zeroBits + i);
                HalfToFloatVector(s).Store(scale + i);
                HalfToFloatVector(z).Store(zero + i);
            }
        }
        for (; i < n; i++)
        {
            QuantMath.ScaleZero(min[i], max[i], maxCode, out ushort sb, out ushort zb);
            scaleBits[i] = sb;
            zeroBits[i] = zb;
            scale[i] = HalfBits.ToFloat(sb);
            zero[i] = HalfBits.ToFloat(zb);
        }
    }

    /// <summary>
    /// <see cref="HalfBits.FromFloat"/> on 16 lanes (FP16 bits in the low 16 bits of each lane): round to nearest,
    /// ties to even; overflow to Inf; NaN to 0x7E00 with the sign.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<uint> HalfBitsVector(Vector512<float> value)
    {
        var f = value.AsUInt32();
        var sign = (f >> 16) & Vector512.Create(0x8000u);
        var a = f & Vector512.Create(0x7FFFFFFFu);
        // Normal halves: drop 13 mantissa bits, rounding to nearest even: (t + 0xFFF + lsb) >> 13; beyond 65504
        // (after rounding) this reaches 0x7C00 or more, which the min turns into Inf.
        var t = a - Vector512.Create(0x38000000u);
        var normal = Vector512.Min((t + Vector512.Create(0xFFFu) + ((t >> 13) & Vector512<uint>.One)) >> 13, Vector512.Create(0x7C00u));
        // Subnormal halves (|x| < 2^-14): m = round-half-even(|x| x 2^24), exact scaling; adding and subtracting 2^23
        // rounds a value below 2^23 to an integer, ties to even (1024 is the smallest normal, bits 0x400, as in the scalar code).
        var scaled = a.AsSingle() * Vector512.Create(16777216f);
        var magic = Vector512.Create(8388608f);
        var sub = Avx512F.ConvertToVector512UInt32WithTruncation((scaled + magic) - magic);
        var h = Vector512.ConditionalSelect(Vector512.LessThan(a, Vector512.Create(0x38800000u)), sub, normal);
        // Inf stays Inf; NaN becomes a quiet NaN.
        h = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(a, Vector512.Create(0x7F800000u)),
            Vector512.Create(0x7C00u) | (Vector512.GreaterThan(a, Vector512.Create(0x7F800000u)) & Vector512.Create(0x200u)), h);
        return h | sign;
    }

    /// <summary><see cref="HalfBits.ToFloat"/> on 16 lanes (FP16 bits in the low 16 bits of each lane).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> HalfToFloatVector(Vector512<uint> bits)
    {
        var sign = (bits & Vector512.Create(0x8000u)) << 16;
        var em = bits & Vector512.Create(0x7FFFu);
        // Normal: exponent rebias by 112, mantissa shifted into place.
        var normal = (em << 13) + Vector512.Create(112u << 23);
        // Subnormal (exponent 0): m x 2^-24, exact.
        var sub = Avx512F.ConvertToVector512Single(em) * Vector512.Create(5.9604644775390625E-08f);
        var special = Vector512.Create(0x7F800000u) | (em << 13);
        var e = em >> 10;
        var r = Vector512.ConditionalSelect(Vector512.Equals(e, Vector512<uint>.Zero), sub.AsUInt32(), normal);
        r = Vector512.ConditionalSelect(Vector512.Equals(e, Vector512.Create(31u)), special, r);
        return (r | sign).AsSingle();
    }
}
