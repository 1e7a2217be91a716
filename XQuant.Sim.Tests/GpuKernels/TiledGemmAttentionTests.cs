using XQuant.Kernels.Attention;
using XQuant.Kernels.Ilgpu.Tiled;
using XQuant.Kernels.Quantization;
using XQuant.Kernels.Reference;
using XQuant.Sim.Tests.Kernels;

namespace XQuant.Sim.Tests.GpuKernels;

/// <summary>The shared-memory tiled dequantize-GEMM and V-absorbed attention on ILGPU's CPU accelerator vs the scalar twins.</summary>
[TestClass]
public sealed class TiledGemmAttentionTests
{
    [TestMethod]
    public void RematMatchesTheReferenceAtTileEdges()
    {
        // 37 x 45 x 83: no side a multiple of the 64 x 64 output tile or of the 16-deep K step; 2 splits of K as well.
        foreach (var (bits, g) in new[] { (4, 16), (3, 9), (2, 45) })
        {
            var x = KernelTestData.Random(37 * 45, bits, 2f);
            var w = KernelTestData.Random(45 * 83, bits + 10, 0.2f);
            var xq = ScalarReference.Quantize(x, 37, 45, new QuantSpec(bits, g, QuantAxis.PerToken));
            var reference = ScalarReference.Remat(xq, w, 83);
            foreach (int splits in new[] { 1, 2 })
            {
                var tiled = TiledTestData.Tiled.Remat(xq, w, 83, splits);
                Assert.IsLessThan(1e-5, KernelTestData.RelativeError(reference, tiled), $"{bits}-bit G={g} splits={splits}");
            }
        }
    }

    [TestMethod]
    public void RematOfAPerChannelXMatchesToo()
    {
        var x = KernelTestData.Random(70 * 20, 3, 1f);
        var w = KernelTestData.Random(20 * 66, 4, 0.3f);
        var xq = ScalarReference.Quantize(x, 70, 20, new QuantSpec(2, 32, QuantAxis.PerChannel));
        Assert.IsLessThan(1e-5, KernelTestData.RelativeError(ScalarReference.Remat(xq, w, 66), TiledTestData.Tiled.Remat(xq, w, 66)));
    }

    [TestMethod]
    public void SplitKIsDeterministicAndSumsInOrder()
    {
        var x = KernelTestData.Random(70 * 24, 5, 1f);
        var p = KernelTestData.Random(3 * 70, 6, 0.1f);
        var xq = ScalarReference.Quantize(x, 70, 24, new QuantSpec(4, 8, QuantAxis.PerToken));
        var reference = ScalarReference.MatMul(p, ScalarReference.Dequantize(xq), 3, 70, 24);
        var one = TiledTestData.Tiled.WeightedRows(p, 3, xq, splits: 1);
        var three = TiledTestData.Tiled.WeightedRows(p, 3, xq, splits: 3);
        Assert.IsLessThan(1e-5, KernelTestData.RelativeError(reference, one));
        Assert.IsLessThan(1e-5, KernelTestData.RelativeError(reference, three));
        CollectionAssert.AreEqual(three, TiledTestData.Tiled.WeightedRows(p, 3, xq, splits: 3), "same splits, same bits");
    }

    [TestMethod]
    public void QuantizedBWithWholeTileGroupsTakesTheRowScalePath()
    {
        // G = 64 is a multiple of every tile width the runner uses (4 x 16 on a GPU), so each token row of a B tile has
        // one scale and zero (decoded once per step); width 136 leaves a short last group and a partial column tile.
        var x = KernelTestData.Random(50 * 136, 8, 1f);
        var p = KernelTestData.Random(5 * 50, 9, 0.1f);
        var xq = ScalarReference.Quantize(x, 50, 136, new QuantSpec(3, 64, QuantAxis.PerToken));
        Assert.AreEqual(0, 64 % (TiledKernels.PerThread * TiledTestData.Tiled.GemmSide));
        var reference = ScalarReference.MatMul(p, ScalarReference.Dequantize(xq), 5, 50, 136);
        Assert.IsLessThan(1e-5, KernelTestData.RelativeError(reference, TiledTestData.Tiled.WeightedRows(p, 5, xq, splits: 2)));
    }

    [TestMethod]
    public void VAbsorbedAttentionMatchesItsScalarTwinAndTheRematPath()
    {
        // 70 tokens (not a tile multiple), d = 80 (two output chunks, the second short), 4 query heads over 2 KV heads of 8.
        const int Tokens = 70, D = 80;
        Assert.AreEqual(2, TiledRunner.OutputChunks(D));
        var shape = new AttentionShape(4, 2, 8).Validated();
        var rope = new RopeTable(Tokens + 1, shape.HeadDim);
        var x = KernelTestData.Random(Tokens * D, 11, 1f);
        var wk = KernelTestData.Random(D * shape.KvDim, 12, 0.3f);
        var wv = KernelTestData.Random(D * shape.KvDim, 13, 0.3f);
        var q = KernelTestData.Random(shape.QueryDim, 14, 1f);
        var xq = ScalarReference.Quantize(x, Tokens, D, new QuantSpec(4, 16, QuantAxis.PerToken));
        var twin = ScalarReference.AttentionVAbsorbed(q, xq, wk, wv, shape, rope);
        var tiled = TiledTestData.Tiled.AttentionVAbsorbed(q, xq, wk, wv, shape, rope);
        Assert.IsLessThan(1e-5, KernelTestData.RelativeError(twin, tiled));
        var remat = ScalarReference.AttentionRemat(q, xq, ScalarReference.JoinColumns(wk, wv, D, shape.KvDim), shape, rope);
        Assert.IsLessThan(1e-5, KernelTestData.RelativeError(remat, tiled), "V-absorption is remat attention reassociated");
    }

    [TestMethod]
    public void SplitsFillTheDeviceOnlyWhenTheGridIsSmall()
    {
        var r = TiledTestData.Tiled;
        int tile = TiledKernels.PerThread * r.GemmSide;
        long tilesWanted = 4L * r.Accelerator.NumMultiprocessors;
        // A short, wide GEMM (few row tiles, long K) splits K; a short K never splits below 4 K steps per split.
        int splits = r.Splits(4, tile, 1 << 16);
        Assert.IsGreaterThanOrEqualTo(Math.Min(tilesWanted, (1 << 16) / (4 * TiledKernels.TileK)), (long)splits);
        Assert.AreEqual(1, r.Splits(4, tile, 4 * TiledKernels.TileK));
        Assert.AreEqual(r.GemmSide, r.RowSide(4 * r.GemmSide));
        Assert.AreEqual(1, r.RowSide(3));
        Assert.AreEqual(Math.Min(r.GemmSide, 8), r.RowSide(32), "32 heads: 32-row tiles");
        var g = new TiledGemmDims(3, 70, 24, quantizedA: false, splits: 3);
        Assert.AreEqual(0, g.KPerSplit % TiledKernels.TileK);
        Assert.IsGreaterThanOrEqualTo(70, (long)g.KPerSplit * g.Splits);
    }
}
