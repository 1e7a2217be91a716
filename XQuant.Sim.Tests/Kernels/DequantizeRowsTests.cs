using XQuant.Kernels.Fast;
using XQuant.Kernels.Quantization;
using XQuant.Kernels.Reference;

namespace XQuant.Sim.Tests.Kernels;

[TestClass]
public sealed class DequantizeRowsTests
{
    [TestMethod]
    [DataRow(4, QuantAxis.PerChannel, 5, 30, DisplayName = "per-channel, starts mid-block, crosses blocks")]
    [DataRow(3, QuantAxis.PerChannel, 16, 1, DisplayName = "per-channel, one row")]
    [DataRow(2, QuantAxis.PerToken, 7, 20, DisplayName = "per-token")]
    public void RowRanges_EqualTheReferenceBitForBit(int bits, QuantAxis axis, int row0, int count)
    {
        const int rows = 48, width = 40;
        var x = KernelTestData.Random(rows * width, 77 + bits, 2f);
        var q = ScalarReference.Quantize(x, rows, width, new QuantSpec(bits, 8, axis));
        var all = ScalarReference.Dequantize(q);
        var part = new float[count * width];
        FastCpu.DequantizeRows(q, row0, count, part);
        CollectionAssert.AreEqual(all.AsSpan(row0 * width, count * width).ToArray(), part);
    }
}
