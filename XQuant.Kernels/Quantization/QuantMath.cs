using ILGPU.Algorithms;

namespace XQuant.Kernels.Quantization;

/// <summary>
/// The arithmetic every implementation shares, written once so that the scalar reference, the fast CPU path and
/// the ILGPU kernels cannot drift apart: scale/zero from a group's min and max, the one rounding rule, and
/// dequantization as two separately rounded float operations (no fused multiply-add, which would round once).
/// </summary>
public static class QuantMath
{
    /// <summary>FP16 bits of scale = (max - min) / maxCode and zero = min, both computed in float then rounded.</summary>
    public static void ScaleZero(float min, float max, int maxCode, out ushort scaleBits, out ushort zeroBits)
    {
        scaleBits = HalfBits.FromFloat((max - min) / maxCode);
        zeroBits = HalfBits.FromFloat(min);
    }

    /// <summary>
    /// code = clamp(floor((x - zero) / scale + 0.5), 0, maxCode), using the Half-rounded scale and zero.
    /// A scale of 0 (a constant group, or a range too small for FP16) gives code 0, which dequantizes to zero.
    /// Not MathF.Round: that rounds half to even, and the rule must be the same on every device.
    /// </summary>
    public static int Code(float x, float scale, float zero, int maxCode)
    {
        if (scale == 0f)
        {
            return 0;
        }
        float v = XMath.Floor(((x - zero) / scale) + 0.5f);
        v = XMath.Min(XMath.Max(v, 0f), maxCode);
        return (int)v;
    }

    /// <summary>zero + scale x code, rounded after the multiply and after the add.</summary>
    public static float Dequantize(int code, float scale, float zero)
    {
        float p = scale * code;
        return zero + p;
    }

    /// <summary>FP16's largest finite value; inputs beyond it cannot have an FP16 zero-point.</summary>
    public const float HalfMaxValue = 65504f;
}
