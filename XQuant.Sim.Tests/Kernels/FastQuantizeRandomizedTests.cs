using XQuant.Kernels.Fast;
using XQuant.Kernels.Quantization;
using XQuant.Kernels.Reference;

namespace XQuant.Sim.Tests.Kernels;

/// <summary>
/// The fast CPU quantizer's vector paths (min/max with the folded range check, vectorized FP16 scale/zero, vector
/// codes, packing) against the scalar reference, byte for byte, on seeded random shapes and awkward values.
/// </summary>
[TestClass]
public sealed class FastQuantizeRandomizedTests
{
    [TestMethod]
    public void VectorScaleZeroMatchesScalarForEveryHalfValueAndMidpoint()
    {
        // min = every FP16 value and every midpoint (ties), max chosen so scales also run through many values.
        var mins = new List<float>();
        for (int h = 0; h < 65536; h++)
        {
            float v = (float)BitConverter.UInt16BitsToHalf((ushort)h);
            if (!float.IsFinite(v))
            {
                continue;
            }
            mins.Add(v);
            if ((h & 0x7FFF) < 0x7BFF)
            {
                float next = (float)BitConverter.UInt16BitsToHalf((ushort)(h + 1));
                mins.Add((float)(((double)v + next) / 2));
            }
        }
        var rng = new Random(11);
        for (int i = 0; i < 20000; i++)
        {
            // Random floats within FP16 range, including float subnormals and tiny values below FP16's subnormals.
            float f = BitConverter.UInt32BitsToSingle((uint)rng.NextInt64(0, 1L << 32));
            if (float.IsFinite(f) && Math.Abs(f) <= 65504f)
            {
                mins.Add(f);
            }
        }
        float[] min = [.. mins];
        foreach (int maxCode in new[] { 3, 7, 15, 255 })
        {
            var max = new float[min.Length];
            for (int i = 0; i < min.Length; i++)
            {
                // Spread: zero, the FP16 subnormal range, normal ranges, up to the full 2 x 65504.
                float spread = (i % 5) switch
                {
                    0 => 0f,
                    1 => Math.Abs(min[(i * 7) % min.Length]) * 1e-6f,
                    2 => Math.Abs(min[(i * 13) % min.Length]),
                    3 => (float)BitConverter.UInt16BitsToHalf((ushort)(i & 0x7BFF)) * maxCode,
                    _ => rng.NextSingle() * 10f,
                };
                max[i] = Math.Min(min[i] + spread, 65504f);
            }
            int n = min.Length;
            var sb = new ushort[n];
            var zb = new ushort[n];
            var s = new float[n];
            var z = new float[n];
            FastCpu.ScaleZero(min, max, maxCode, sb, zb, s, z);
            for (int i = 0; i < n; i++)
            {
                QuantMath.ScaleZero(min[i], max[i], maxCode, out ushort esb, out ushort ezb);
                if (esb != sb[i] || ezb != zb[i]
                    || BitConverter.SingleToUInt32Bits(HalfBits.ToFloat(esb)) != BitConverter.SingleToUInt32Bits(s[i])
                    || BitConverter.SingleToUInt32Bits(HalfBits.ToFloat(ezb)) != BitConverter.SingleToUInt32Bits(z[i]))
                {
                    Assert.Fail($"maxCode {maxCode}, min {min[i]:R}, max {max[i]:R}: scale {esb:X4} vs {sb[i]:X4}, zero {ezb:X4} vs {zb[i]:X4}, floats {s[i]:R} {z[i]:R}");
                }
            }
        }
    }

    [TestMethod]
    public void RandomShapesBitsAxesAndValuesAreBitIdenticalToTheReference()
    {
        var rng = new Random(20240605);
        int[] groups = [1, 3, 5, 8, 16, 17, 31, 32, 48, 64, 100, 128, 129, 256];
        for (int trial = 0; trial < 240; trial++)
        {
            int bits = QuantSpec.SupportedBits[trial % 4];
            var axis = (trial / 4) % 2 == 0 ? QuantAxis.PerToken : QuantAxis.PerChannel;
            int g = groups[rng.Next(groups.Length)];
            int rows = rng.Next(1, 70);
            // Widths cover ragged groups, widths below 16 and 64, and rows long enough for several 64-code pack steps.
            int width = trial % 10 == 0 ? rng.Next(1100, 2200) : rng.Next(1, 300);
            var x = Values(rng, rows * width, trial);
            var spec = new QuantSpec(bits, g, axis);
            var expected = ScalarReference.Quantize(x, rows, width, spec);
            string? diff = expected.FirstDifference(FastCpu.Quantize(x, rows, width, spec));
            Assert.IsNull(diff, $"trial {trial}: {spec}, {rows} x {width}: {diff}");
        }
    }

    [TestMethod]
    public void LargeRandomInputsThroughTheParallelPathsAreBitIdentical()
    {
        var rng = new Random(77);
        foreach (var (rows, width, g) in new[] { (300, 4096, 128), (257, 1000, 64), (1030, 520, 32), (64, 3000, 128) })
        {
            var x = Values(rng, rows * width, rows);
            foreach (int bits in QuantSpec.SupportedBits)
            {
                foreach (var axis in new[] { QuantAxis.PerToken, QuantAxis.PerChannel })
                {
                    var spec = new QuantSpec(bits, g, axis);
                    string? diff = ScalarReference.Quantize(x, rows, width, spec).FirstDifference(FastCpu.Quantize(x, rows, width, spec));
                    Assert.IsNull(diff, $"{spec}, {rows} x {width}: {diff}");
                }
            }
        }
    }

    [TestMethod]
    public void BadValueAnywhereInALargeInputIsRejectedNamingIt()
    {
        var rng = new Random(3);
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 65505f, -70000f })
        {
            foreach (var axis in new[] { QuantAxis.PerToken, QuantAxis.PerChannel })
            {
                int rows = 200, width = 1100;
                var x = Values(rng, rows * width, 1);
                int at = rng.Next(x.Length);
                x[at] = bad;
                var e = Assert.ThrowsExactly<ArgumentException>(() => FastCpu.Quantize(x, rows, width, new QuantSpec(4, 128, axis)));
                StringAssert.Contains(e.Message, $"x[row {at / width}, column {at % width}]", $"{bad} {axis}");
            }
        }
    }

    /// <summary>Mixtures of scales, signed zeros, constant runs, FP16 extremes and subnormal-sized ranges.</summary>
    private static float[] Values(Random rng, int n, int seed)
    {
        var x = new float[n];
        int kind = seed % 8;
        for (int i = 0; i < n; i++)
        {
            float u = (rng.NextSingle() * 2f) - 1f;
            x[i] = kind switch
            {
                0 => u,
                1 => u * 60000f,
                2 => 1f + (u * 1e-4f),                          // ranges whose scale is an FP16 subnormal or 0
                3 => rng.Next(4) == 0 ? 0f : rng.Next(4) == 0 ? -0f : u * 1e-3f, // signed zeros as min and max
                4 => rng.Next(3) == 0 ? 65504f : rng.Next(3) == 0 ? -65504f : u * 100f,
                5 => (i / 7 % 3) == 0 ? 0.25f : u * 3e-6f,       // constant runs and tiny magnitudes
                6 => rng.Next(3) == 0 ? (rng.Next(2) == 0 ? 0f : -0f) : Math.Abs(u), // min is +0 or -0
                _ => rng.Next(3) == 0 ? (rng.Next(2) == 0 ? 0f : -0f) : -Math.Abs(u), // max is +0 or -0
            };
        }
        return x;
    }
}
