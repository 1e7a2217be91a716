using ILGPU;

namespace XQuant.Kernels.Quantization;

/// <summary>
/// IEEE binary16 conversions written with integer operations only, so that the very same source runs in ILGPU
/// kernels (which have no System.Half) and on the CPU, and every implementation rounds scales and zeros to FP16
/// identically (round to nearest, ties to even, like the (Half) cast; a test checks all 65536 values).
/// </summary>
public static class HalfBits
{
    /// <summary>Rounds a float to the nearest FP16 value (ties to even) and returns its bits.</summary>
    public static ushort FromFloat(float value)
    {
        uint f = Interop.FloatAsInt(value);
        uint sign = (f >> 16) & 0x8000u;
        uint a = f & 0x7FFFFFFFu;
        if (a >= 0x7F800000u)
        {
            // Inf stays Inf; NaN stays a quiet NaN.
            return (ushort)(sign | 0x7C00u | (a > 0x7F800000u ? 0x200u : 0u));
        }
        if (a >= 0x47800000u)
        {
            return (ushort)(sign | 0x7C00u);
        }
        if (a < 0x38800000u)
        {
            // Below the smallest normal half (2^-14): a subnormal half or zero.
            if (a < 0x33000000u)
            {
                return (ushort)sign;
            }
            int e = (int)(a >> 23);
            uint m = (a & 0x7FFFFFu) | 0x800000u;
            int shift = 126 - e;
            uint h = m >> shift;
            uint rem = m & ((1u << shift) - 1u);
            uint halfway = 1u << (shift - 1);
            if (rem > halfway || (rem == halfway && (h & 1u) != 0u))
            {
                h++;
            }
            return (ushort)(sign | h);
        }
        uint t = a - 0x38000000u;
        uint hn = t >> 13;
        uint r = t & 0x1FFFu;
        if (r > 0x1000u || (r == 0x1000u && (hn & 1u) != 0u))
        {
            hn++;
        }
        return (ushort)(sign | hn);
    }

    /// <summary>The exact float value of FP16 bits.</summary>
    public static float ToFloat(ushort bits)
    {
        uint h = bits;
        uint sign = (h & 0x8000u) << 16;
        uint e = (h >> 10) & 0x1Fu;
        uint m = h & 0x3FFu;
        if (e == 0u)
        {
            // Subnormal: m x 2^-24, exact in float.
            float v = m * 5.9604644775390625E-08f;
            return sign != 0u ? -v : v;
        }
        if (e == 31u)
        {
            return Interop.IntAsFloat(sign | 0x7F800000u | (m << 13));
        }
        return Interop.IntAsFloat(sign | ((e + 112u) << 23) | (m << 13));
    }

    /// <summary>Rounds through FP16: the float a stored scale or zero really has.</summary>
    public static float Round(float value) => ToFloat(FromFloat(value));
}
