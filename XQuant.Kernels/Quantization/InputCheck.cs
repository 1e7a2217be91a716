using System.Globalization;
using System.Runtime.Intrinsics;

namespace XQuant.Kernels.Quantization;

/// <summary>
/// NaN and infinity are rejected before quantizing, as is any magnitude FP16 cannot hold (|x| > 65504): a group
/// with a NaN or Inf has no meaningful min/max scale, and silently producing codes would hide a bug upstream.
/// The message names the first bad element's row and column.
/// </summary>
public static class InputCheck
{
    public static void Finite(ReadOnlySpan<float> x, int rows, int width, string name = "x")
    {
        if ((long)rows * width != x.Length)
        {
            throw new ArgumentException($"{name} has {x.Length} elements, expected rows {rows} x width {width}", name);
        }
        int bad = FirstBad(x);
        if (bad < 0)
        {
            return;
        }
        float v = x[bad];
        string what = float.IsNaN(v) ? "NaN" : float.IsInfinity(v) ? "infinite" : "beyond FP16's range (|x| > 65504)";
        throw new ArgumentException(
            $"{name}[row {bad / width}, column {bad % width}] is {what} ({v.ToString(CultureInfo.InvariantCulture)}); quantization needs finite values within FP16 range",
            name);
    }

    /// <summary>Index of the first element with !(|x| &lt;= 65504), or -1; vectorized because it reads all input.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static int FirstBad(ReadOnlySpan<float> x)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var limit = Vector512.Create(QuantMath.HalfMaxValue);
            ref float start = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
            for (; i + 16 <= x.Length; i += 16)
            {
                var v = Vector512.LoadUnsafe(ref start, (nuint)i);
                // LessThanOrEqual is false for NaN, so NaN is caught together with Inf and out-of-range values.
                if (!Vector512.LessThanOrEqualAll(Vector512.Abs(v), limit))
                {
                    break;
                }
            }
        }
        for (; i < x.Length; i++)
        {
            if (!(MathF.Abs(x[i]) <= QuantMath.HalfMaxValue))
            {
                return i;
            }
        }
        return -1;
    }
}
