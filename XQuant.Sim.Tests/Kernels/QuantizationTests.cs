using XQuant.Kernels.Fast;
using XQuant.Kernels.Quantization;
using XQuant.Kernels.Reference;

namespace XQuant.Sim.Tests.Kernels;

[TestClass]
public sealed class QuantizationTests
{
    [TestMethod]
    public void HandChecked_2x8_2bit_PerToken_G4()
    {
        float[] x =
        [
            0f, 1f, 2f, 3f, 10f, 10f, 10f, 10f,
            -1f, 0.5f, 2f, 1.5f, 4f, 5f, 6f, 7f,
        ];
        var spec = new QuantSpec(2, 4, QuantAxis.PerToken);
        var q = ScalarReference.Quantize(x, 2, 8, spec);
        // Row 0: group [0..3] scale 1 zero 0; group [10 x4] is constant: scale 0, zero 10, codes 0.
        // Row 1: group [-1, .5, 2, 1.5]: scale 3/3 = 1, zero -1; 1.5 -> 2.5 + .5 = 3 (half-even rounding would give 2).
        int[,] codes = { { 0, 1, 2, 3, 0, 0, 0, 0 }, { 0, 2, 3, 3, 0, 1, 2, 3 } };
        for (int r = 0; r < 2; r++)
        {
            for (int c = 0; c < 8; c++)
            {
                Assert.AreEqual(codes[r, c], q.Code(r, c), $"code ({r},{c})");
            }
        }
        CollectionAssert.AreEqual(new[] { (Half)1f, (Half)0f, (Half)1f, (Half)1f }, q.Scales);
        CollectionAssert.AreEqual(new[] { (Half)0f, (Half)10f, (Half)(-1f), (Half)4f }, q.Zeros);
        // 2-bit LSB-first: 0 | 1<<2 | 2<<4 | 3<<6 = 0xE4.
        CollectionAssert.AreEqual(new byte[] { 0xE4, 0x00, 0xF8, 0xE4 }, q.Packed);
        CollectionAssert.AreEqual(new[] { 0f, 1f, 2f, 3f, 10f, 10f, 10f, 10f, -1f, 1f, 2f, 2f, 4f, 5f, 6f, 7f }, ScalarReference.Dequantize(q));
        Assert.IsNull(q.FirstDifference(FastCpu.Quantize(x, 2, 8, spec)));
        Assert.IsNull(q.FirstDifference(KernelTestData.IlgpuCpu.Quantize(x, 2, 8, spec)));
    }

    [TestMethod]
    public void ScaleIsRoundedToHalfBeforeCoding()
    {
        // Range 1 at 2 bits: 1/3 in FP16 is 0.333251953125, and codes use that value.
        float[] x = [0f, 1f / 3f, 2f / 3f, 1f];
        var q = ScalarReference.Quantize(x, 1, 4, new QuantSpec(2, 4, QuantAxis.PerToken));
        Assert.AreEqual(0.333251953125f, (float)q.Scales[0]);
        Assert.AreEqual(3, q.Code(0, 3));
        Assert.AreEqual(0.999755859375f, ScalarReference.Dequantize(q)[3]);
    }

    public static IEnumerable<object[]> Cases()
    {
        foreach (int bits in QuantSpec.SupportedBits)
        {
            foreach (var axis in new[] { QuantAxis.PerToken, QuantAxis.PerChannel })
            {
                // Aligned (G = 32, width 128) and ragged (G = 24 leaves a short last group in both axes).
                yield return [bits, axis, 64, 128, 32];
                yield return [bits, axis, 70, 150, 24];
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void ReferenceFastAndIlgpuAreBitIdentical(int bits, QuantAxis axis, int rows, int width, int group)
    {
        var x = KernelTestData.Random(rows * width, 1000 + bits + rows, 3f);
        var spec = new QuantSpec(bits, group, axis);
        var reference = ScalarReference.Quantize(x, rows, width, spec);
        Assert.IsNull(reference.FirstDifference(FastCpu.Quantize(x, rows, width, spec)), "fast CPU");
        Assert.IsNull(reference.FirstDifference(KernelTestData.IlgpuCpu.Quantize(x, rows, width, spec)), "ILGPU CPU");
        var deq = ScalarReference.Dequantize(reference);
        CollectionAssert.AreEqual(deq, FastCpu.Dequantize(reference), "fast dequantize");
        CollectionAssert.AreEqual(deq, KernelTestData.IlgpuCpu.Dequantize(reference), "ILGPU dequantize");
        // Every element is within half a step of its group's range (plus FP16 rounding of scale and zero).
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < width; c++)
            {
                int gi = spec.GroupIndex(r, c, width);
                float step = (float)reference.Scales[gi];
                Assert.IsTrue(Math.Abs(deq[(r * width) + c] - x[(r * width) + c]) <= (0.5f * step) + (2e-3f * Math.Abs(x[(r * width) + c])) + 1e-3f, $"({r},{c})");
            }
        }
    }

    [TestMethod]
    public void LargeFastPathMatchesReference()
    {
        // Big enough for the parallel, vectorized paths (several row chunks, 64-code packing steps).
        var x = KernelTestData.Random(512 * 1024, 7, 2f);
        foreach (int bits in QuantSpec.SupportedBits)
        {
            foreach (var axis in new[] { QuantAxis.PerToken, QuantAxis.PerChannel })
            {
                var spec = new QuantSpec(bits, 128, axis);
                Assert.IsNull(ScalarReference.Quantize(x, 512, 1024, spec).FirstDifference(FastCpu.Quantize(x, 512, 1024, spec)), spec.ToString());
            }
        }
    }

    [TestMethod]
    [DataRow(QuantAxis.PerToken)]
    [DataRow(QuantAxis.PerChannel)]
    public void ConstantGroupsHaveScaleZeroAndDequantizeToTheValue(QuantAxis axis)
    {
        var x = new float[40 * 48];
        Array.Fill(x, 0.3f);
        var spec = new QuantSpec(3, 16, axis);
        foreach (var q in new[] { ScalarReference.Quantize(x, 40, 48, spec), FastCpu.Quantize(x, 40, 48, spec), KernelTestData.IlgpuCpu.Quantize(x, 40, 48, spec) })
        {
            Assert.IsTrue(q.Scales.All(s => s == (Half)0f));
            Assert.IsTrue(q.Zeros.All(z => z == (Half)0.3f));
            Assert.IsTrue(q.Packed.All(b => b == 0));
            Assert.IsTrue(ScalarReference.Dequantize(q).All(v => v == (float)(Half)0.3f));
        }
    }

    [TestMethod]
    [DataRow(float.NaN, "NaN")]
    [DataRow(float.PositiveInfinity, "infinite")]
    [DataRow(float.NegativeInfinity, "infinite")]
    [DataRow(70000f, "FP16")]
    public void NonFiniteInputIsRejectedNamingRowAndColumn(float bad, string word)
    {
        var x = KernelTestData.Random(3 * 40, 3);
        x[(1 * 40) + 37] = bad;
        var spec = new QuantSpec(4, 8, QuantAxis.PerToken);
        foreach (Func<QuantizedMatrix> run in new Func<QuantizedMatrix>[]
        {
            () => ScalarReference.Quantize(x, 3, 40, spec),
            () => FastCpu.Quantize(x, 3, 40, spec),
            () => KernelTestData.IlgpuCpu.Quantize(x, 3, 40, spec),
        })
        {
            var e = Assert.ThrowsExactly<ArgumentException>(() => run());
            StringAssert.Contains(e.Message, "row 1, column 37");
            StringAssert.Contains(e.Message, word);
        }
    }

    [TestMethod]
    public void UnsupportedBitsAreRejected()
    {
        Assert.ThrowsExactly<ArgumentException>(() => QuantizedMatrix.Allocate(2, 2, new QuantSpec(5, 2, QuantAxis.PerToken)));
        Assert.ThrowsExactly<ArgumentException>(() => QuantizedMatrix.Allocate(2, 2, new QuantSpec(4, 0, QuantAxis.PerToken)));
    }

    [TestMethod]
    public void ThreeBitPacksEightCodesIntoThreeBytes()
    {
        byte[] codes = [0, 1, 2, 3, 4, 5, 6, 7];
        var row = new byte[3];
        BitPacking.PackRow(codes, row, 3);
        // sum of i << 3i = 0xFAC688, little-endian.
        CollectionAssert.AreEqual(new byte[] { 0x88, 0xC6, 0xFA }, row);
        var fast = new byte[3];
        FastCpu.Pack(codes, fast, 3);
        CollectionAssert.AreEqual(row, fast);
    }

    [TestMethod]
    [DataRow(2)]
    [DataRow(3)]
    [DataRow(4)]
    [DataRow(8)]
    public void PackingRoundTrips(int bits)
    {
        var rng = new Random(42 + bits);
        foreach (int n in new[] { 1, 7, 8, 63, 64, 65, 200 })
        {
            var codes = new byte[n];
            for (int i = 0; i < n; i++)
            {
                codes[i] = (byte)rng.Next(1 << bits);
            }
            var a = new byte[QuantSpec.RowBytes(n, bits)];
            var b = Enumerable.Repeat((byte)0xFF, a.Length).ToArray();
            BitPacking.PackRow(codes, a, bits);
            FastCpu.Pack(codes, b, bits);
            CollectionAssert.AreEqual(a, b, $"n={n}");
            for (int i = 0; i < n; i++)
            {
                Assert.AreEqual(codes[i], BitPacking.Read(a, 0, i, bits));
            }
        }
    }

    [TestMethod]
    public void HalfBitsMatchesSystemHalfForEveryValue()
    {
        for (int h = 0; h < 65536; h++)
        {
            float expected = (float)BitConverter.UInt16BitsToHalf((ushort)h);
            float actual = HalfBits.ToFloat((ushort)h);
            if (float.IsNaN(expected))
            {
                Assert.IsTrue(float.IsNaN(actual));
                continue;
            }
            Assert.AreEqual(BitConverter.SingleToUInt32Bits(expected), BitConverter.SingleToUInt32Bits(actual), $"ToFloat({h})");
            Assert.AreEqual((ushort)h, HalfBits.FromFloat(expected), $"FromFloat(ToFloat({h}))");
            // Midpoints to the next half value test ties-to-even.
            if (h < 0x7BFF || (h >= 0x8000 && h < 0xFBFF))
            {
                float next = (float)BitConverter.UInt16BitsToHalf((ushort)(h + 1));
                float mid = (float)(((double)expected + next) / 2);
                Assert.AreEqual(BitConverter.HalfToUInt16Bits((Half)mid), HalfBits.FromFloat(mid), $"midpoint after {h}");
            }
        }
        var rng = new Random(5);
        for (int i = 0; i < 100000; i++)
        {
            float f = BitConverter.UInt32BitsToSingle((uint)rng.NextInt64(0, 1L << 32));
            if (!float.IsNaN(f))
            {
                Assert.AreEqual(BitConverter.HalfToUInt16Bits((Half)f), HalfBits.FromFloat(f), $"{f}");
            }
        }
    }
}
