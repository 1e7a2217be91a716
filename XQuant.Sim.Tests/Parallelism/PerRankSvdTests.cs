using XQuant.Kernels.Engine;
using XQuant.Sim.Studies.Accuracy;

namespace XQuant.Sim.Tests.Parallelism;

/// <summary>svd=per-rank in the engine: an SVD of each rank's slice of Wk, side by side.</summary>
[TestClass]
public sealed class PerRankSvdTests
{
    [TestMethod]
    public void PerRankFactors_AreBlockDiagonal_AndRebuildWkExactly()
    {
        var config = SyntheticModels.Config("synthetic-gqa", 64, 7); // d = 256, 2 KV heads of 32: d_kv = 64
        var layer = new EngineWeights(config).Layers[0];
        int d = config.HiddenSize, n = config.KvHeads * config.HeadDim, half = n / 2;
        var f = layer.GqaSharded(2);
        var uk = GqaFactors.Unpack(f.Uk);
        var fused = GqaFactors.Unpack(f.FusedK);
        var wk = GqaFactors.Unpack(layer.Wk);
        // Rank 0's latent channels never feed rank 1's K columns, and the other way round.
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < n; c++)
            {
                if ((r < half) != (c < half))
                {
                    Assert.AreEqual(0f, fused[(r * n) + c], $"({r},{c})");
                }
            }
        }
        // Full rank per slice: Uk x (S B^T) = Wk.
        double worst = 0;
        for (int i = 0; i < d; i++)
        {
            for (int c = 0; c < n; c++)
            {
                double s = 0;
                for (int j = 0; j < n; j++)
                {
                    s += uk[(i * n) + j] * fused[(j * n) + c];
                }
                worst = Math.Max(worst, Math.Abs(s - wk[(i * n) + c]));
            }
        }
        Assert.IsTrue(worst < 1e-4, $"max |Uk S B^T - Wk| = {worst}");
        Assert.AreSame(layer.Gqa, layer.GqaSharded(1));
    }

    [TestMethod]
    public void PerRank_MapsToTheEngine_AndBack()
    {
        var e = Studies.Measurement.EngineModel.ParseScheme("xquant-gqa:2,svd=per-rank");
        Assert.AreEqual(0, e.SvdShards);
        Assert.AreEqual("xquant-gqa:2,rdtype=fp32,svd=per-rank", Studies.Measurement.EngineModel.ToCacheScheme(e).Spec);
        Assert.AreEqual(1, Studies.Measurement.EngineModel.ParseScheme("xquant-gqa:2").SvdShards);
    }
}
