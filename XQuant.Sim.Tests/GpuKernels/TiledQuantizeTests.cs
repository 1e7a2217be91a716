using XQuant.Kernels.Ilgpu.Tiled;
using XQuant.Kernels.Quantization;
using XQuant.Kernels.Reference;
using XQuant.Sim.Tests.Kernels;

namespace XQuant.Sim.Tests.GpuKernels;

/// <summary>The coalesced quantize kernels on ILGPU's CPU accelerator: codes, FP16 scales and zeros bit-identical to the scalar reference.</summary>
[TestClass]
public sealed class TiledQuantizeTests
{
    // (rows, width, G): rows and widths that are not multiples of the tiles (64 columns, 8-code units) or of 4 (the
    // 16-byte load path), short last groups on both axes.
    private static readonly (int Rows, int Width, int Group)[] PerTokenOnePass = [(5, 72, 32), (3, 70, 16), (2, 8, 8), (4, 100, 64)];
    private static readonly (int Rows, int Width, int Group)[] PerChannelOnePass = [(37, 70, 16), (40, 136, 32), (9, 8, 128), (130, 20, 128)];

    [TestMethod]
    public void PerTokenOnePassIsBitIdenticalForEveryWidth()
    {
        foreach (int bits in QuantSpec.SupportedBits)
        {
            foreach (var (rows, width, g) in PerTokenOnePass)
            {
                var spec = new QuantSpec(bits, g, QuantAxis.PerToken);
                Assert.IsTrue(TiledRunner.OnePass(spec));
                AssertBitIdentical(rows, width, spec, seed: (bits * 100) + width);
            }
        }
    }

    [TestMethod]
    public void PerChannelTilesAreBitIdenticalForEveryWidth()
    {
        foreach (int bits in QuantSpec.SupportedBits)
        {
            foreach (var (rows, width, g) in PerChannelOnePass)
            {
                var spec = new QuantSpec(bits, g, QuantAxis.PerChannel);
                Assert.IsTrue(TiledRunner.OnePass(spec));
                AssertBitIdentical(rows, width, spec, seed: (bits * 1000) + rows);
            }
        }
    }

    [TestMethod]
    public void TwoPassFallbackIsBitIdentical()
    {
        // G = 12 per-token (not a multiple of 8: a packing unit straddles two groups) and G = 160 per-channel (more
        // tokens than a tile holds) take the stats + pack kernels.
        foreach (int bits in new[] { 3, 4 })
        {
            var token = new QuantSpec(bits, 12, QuantAxis.PerToken);
            var channel = new QuantSpec(bits, 160, QuantAxis.PerChannel);
            Assert.IsFalse(TiledRunner.OnePass(token));
            Assert.IsFalse(TiledRunner.OnePass(channel));
            AssertBitIdentical(6, 50, token, seed: bits);
            AssertBitIdentical(170, 12, channel, seed: bits + 7);
        }
    }

    [TestMethod]
    public void SignedZerosGiveTheReferencesZeroPoint()
    {
        // A group whose minimum is a zero of both signs: the FP16 zero must be -0 (Math.Min's answer) whichever
        // thread folds which element first. Constant all-zero groups too (scale 0, every code 0).
        var x = new float[4 * 16];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (i % 3) switch { 0 => 0f, 1 => -0f, _ => 0.5f * (i % 5) };
        }
        x.AsSpan(48, 16).Fill(-0f);
        x[50] = 0f;
        foreach (var axis in new[] { QuantAxis.PerToken, QuantAxis.PerChannel })
        {
            var spec = new QuantSpec(2, 8, axis);
            var reference = ScalarReference.Quantize(x, 4, 16, spec);
            var tiled = TiledTestData.Tiled.Quantize(x, 4, 16, spec);
            Assert.IsNull(reference.FirstDifference(tiled), axis.ToString());
            Assert.IsTrue(reference.Zeros.Any(z => BitConverter.HalfToUInt16Bits(z) == 0x8000), "the data must exercise -0");
        }
    }

    [TestMethod]
    public void OrderedMinAndMaxDoNotDependOnOrder()
    {
        Assert.AreEqual(0x80000000u, BitConverter.SingleToUInt32Bits(TiledKernels.MinOrdered(0f, -0f)));
        Assert.AreEqual(0x80000000u, BitConverter.SingleToUInt32Bits(TiledKernels.MinOrdered(-0f, 0f)));
        Assert.AreEqual(0u, BitConverter.SingleToUInt32Bits(TiledKernels.MaxOrdered(0f, -0f)));
        Assert.AreEqual(0u, BitConverter.SingleToUInt32Bits(TiledKernels.MaxOrdered(-0f, 0f)));
        Assert.AreEqual(-2f, TiledKernels.MinOrdered(float.PositiveInfinity, -2f));
        Assert.AreEqual(3f, TiledKernels.MaxOrdered(3f, float.NegativeInfinity));
        Assert.AreEqual(Math.Min(1.5f, -7f), TiledKernels.MinOrdered(1.5f, -7f));
    }

    private static void AssertBitIdentical(int rows, int width, QuantSpec spec, int seed)
    {
        var x = KernelTestData.Random(rows * width, seed, 3f);
        var reference = ScalarReference.Quantize(x, rows, width, spec);
        var tiled = TiledTestData.Tiled.Quantize(x, rows, width, spec);
        Assert.IsNull(reference.FirstDifference(tiled), $"{rows}x{width} {spec}");
        CollectionAssert.AreEqual(reference.Packed, tiled.Packed, $"{rows}x{width} {spec}: packed bytes");
    }
}
