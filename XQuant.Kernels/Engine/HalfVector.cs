using System.Runtime.Intrinsics;
using XQuant.Kernels.Quantization;

namespace XQuant.Kernels.Engine;

/// <summary>
/// FP16 bits to and from float for whole rows, 32 elements per step with integer Vector512 operations (normal
/// numbers and zeros in the vector path; any block holding a subnormal, Inf or NaN falls back to
/// <see cref="HalfBits"/>). Results equal <see cref="HalfBits"/> bit for bit (round to nearest, ties to even).
/// </summary>
public static class HalfVector
{
    public static unsafe void ToFloat(ReadOnlySpan<ushort> src, Span<float> dst)
    {
        if (dst.Length < src.Length)
        {
            throw new ArgumentException("destination is shorter than the source", nameof(dst));
        }
        int n = src.Length, i = 0;
        fixed (ushort* ps = src)
        fixed (float* pd = dst)
        {
            var expMask = Vector512.Create(0x7C00u);
            var absMask = Vector512.Create(0x7FFFu);
            var signMask = Vector512.Create(0x8000u);
            var bias = Vector512.Create(0x38000000u);
            for (; i + 32 <= n; i += 32)
            {
                var h = Vector512.Load(ps + i);
                var (lo, hi) = Vector512.Widen(h);
                if (!Convert(lo, pd + i, expMask, absMask, signMask, bias) | !Convert(hi, pd + i + 16, expMask, absMask, signMask, bias))
                {
                    for (int j = i; j < i + 32; j++)
                    {
                        pd[j] = HalfBits.ToFloat(ps[j]);
                    }
                }
            }
            for (; i < n; i++)
            {
                pd[i] = HalfBits.ToFloat(ps[i]);
            }
        }
    }

    private static unsafe bool Convert(Vector512<uint> h, float* dst, Vector512<uint> expMask, Vector512<uint> absMask, Vector512<uint> signMask, Vector512<uint> bias)
    {
        var abs = h & absMask;
        var e = h & expMask;
        var zero = Vector512.Equals(abs, Vector512<uint>.Zero);
        // Subnormal (exponent 0, mantissa != 0) or Inf/NaN (exponent 31): not handled here.
        var special = (Vector512.Equals(e, Vector512<uint>.Zero) & ~zero) | Vector512.Equals(e, expMask);
        if (special != Vector512<uint>.Zero)
        {
            return false;
        }
        var normal = (abs << 13) + bias;
        var r = ((h & signMask) << 16) | Vector512.ConditionalSelect(zero, Vector512<uint>.Zero, normal);
        r.AsSingle().Store(dst);
        return true;
    }

    public static unsafe void FromFloat(ReadOnlySpan<float> src, Span<ushort> dst)
    {
        if (dst.Length < src.Length)
        {
            throw new ArgumentException("destination is shorter than the source", nameof(dst));
        }
        int n = src.Length, i = 0;
        fixed (float* ps = src)
        fixed (ushort* pd = dst)
        {
            for (; i + 32 <= n; i += 32)
            {
                var a = Vector512.Load((uint*)(ps + i));
                var b = Vector512.Load((uint*)(ps + i + 16));
                if (TryRound(a, out var ra) && TryRound(b, out var rb))
                {
                    Vector512.Narrow(ra, rb).Store(pd + i);
                }
                else
                {
                    for (int j = i; j < i + 32; j++)
                    {
                        pd[j] = HalfBits.FromFloat(ps[j]);
                    }
                }
            }
            for (; i < n; i++)
            {
                pd[i] = HalfBits.FromFloat(ps[i]);
            }
        }
    }

    private static bool TryRound(Vector512<uint> f, out Vector512<uint> result)
    {
        var abs = f & Vector512.Create(0x7FFFFFFFu);
        var zero = Vector512.Equals(abs, Vector512<uint>.Zero);
        // Normal half range: 2^-14 <= |x| < 65520 (values that round to Inf are left to the scalar path).
        var inRange = Vector512.GreaterThanOrEqual(abs, Vector512.Create(0x38800000u)) & Vector512.LessThan(abs, Vector512.Create(0x477FF000u));
        if ((inRange | zero) != Vector512<uint>.AllBitsSet)
        {
            result = default;
            return false;
        }
        var t = abs - Vector512.Create(0x38000000u);
        var rounded = (t + Vector512.Create(0xFFFu) + ((t >> 13) & Vector512<uint>.One)) >> 13;
        var sign = (f >> 16) & Vector512.Create(0x8000u);
        result = sign | Vector512.ConditionalSelect(zero, Vector512<uint>.Zero, rounded);
        return true;
    }
}
