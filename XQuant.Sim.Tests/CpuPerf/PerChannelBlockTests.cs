using XQuant.Kernels.Fast;
using XQuant.Kernels.Quantization;
using XQuant.Kernels.Reference;

namespace XQuant.Sim.Tests.CpuPerf;

/// <summary>
/// The strip-wise per-channel quantizer (64-column strips: min/max fold in registers, then codes, strips ahead
/// prefetched) against the scalar reference, byte for byte, where strips have seams: widths that are and are not
/// multiples of 64 (a narrower last strip), groups shorter than a few rows, ragged last groups, signed zeros in
/// later strips, bad values (NaN, Inf, |x| &gt; 65504) in whole and in last strips.
/// </summary>
[TestClass]
public sealed class PerChannelBlockTests
{
    [TestMethod]
    public void WidthsAroundTheBlockSeamsAreBitIdentical()
    {
        var rng = new Random(19);
        int[] widths = [511, 512, 513, 1023, 1024, 1025, 1543, 2117];
        (int Rows, int Group)[] shapes = [(7, 8), (8, 8), (9, 8), (33, 32), (140, 128), (5, 128)];
        foreach (int width in widths)
        {
            foreach (var (rows, g) in shapes)
            {
                var x = new float[rows * width];
                for (int i = 0; i < x.Length; i++)
                {
                    x[i] = ((rng.NextSingle() * 2f) - 1f) * (1 + (i % width / 512)); // each block its own range
                }
                foreach (int bits in QuantSpec.SupportedBits)
                {
                    var spec = new QuantSpec(bits, g, QuantAxis.PerChannel);
                    string? diff = ScalarReference.Quantize(x, rows, width, spec).FirstDifference(FastCpu.Quantize(x, rows, width, spec));
                    Assert.IsNull(diff, $"{spec}, {rows} x {width}: {diff}");
                }
            }
        }
    }

    [TestMethod]
    public void SignedZeroColumnsInEveryBlockAreBitIdentical()
    {
        // Columns whose min or max is +0 or -0 in the second and last blocks: the exact fold of the reference
        // (-0 below +0) must run in every block, not only the first.
        int rows = 20, width = 1600;
        var rng = new Random(5);
        var x = new float[rows * width];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < width; c++)
            {
                float u = rng.NextSingle();
                x[(r * width) + c] = (c % 7) switch
                {
                    0 => rng.Next(2) == 0 ? 0f : -0f,
                    1 => rng.Next(3) == 0 ? -0f : u,
                    2 => rng.Next(3) == 0 ? 0f : -u,
                    _ => (u * 2f) - 1f,
                };
            }
        }
        foreach (int bits in QuantSpec.SupportedBits)
        {
            foreach (int g in new[] { 4, 20 })
            {
                var spec = new QuantSpec(bits, g, QuantAxis.PerChannel);
                string? diff = ScalarReference.Quantize(x, rows, width, spec).FirstDifference(FastCpu.Quantize(x, rows, width, spec));
                Assert.IsNull(diff, $"{spec}: {diff}");
            }
        }
    }

    [TestMethod]
    public void BadValueInAnyBlockOrRowIsRejectedNamingIt()
    {
        int rows = 40, width = 1300, g = 16;
        // First block row 0, the second block at an early row and at the group's last row, the last (ragged)
        // block, the ragged last group.
        (int Row, int Column)[] places = [(0, 0), (3, 600), (15, 1023), (17, 1299), (39, 700), (33, 5)];
        foreach (var (row, column) in places)
        {
            foreach (float bad in new[] { float.NaN, float.PositiveInfinity, -65505f })
            {
                var x = new float[rows * width];
                for (int i = 0; i < x.Length; i++)
                {
                    x[i] = (i % 97) * 0.01f;
                }
                x[(row * width) + column] = bad;
                var e = Assert.ThrowsExactly<ArgumentException>(() => FastCpu.Quantize(x, rows, width, new QuantSpec(4, g, QuantAxis.PerChannel)));
                StringAssert.Contains(e.Message, $"x[row {row}, column {column}]", $"{bad} at {row},{column}");
            }
        }
    }
}
