using XQuant.Sim.Domain.Memory;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Schemes;
using XQuant.Sim.Studies.Serving;

namespace XQuant.Sim.Tests.MlaModels;

/// <summary>The serving pool charges a local (sliding-window) layer at most the blocks its window spans.</summary>
[TestClass]
public sealed class WindowPoolTests
{
    /// <summary>TinyMha (d_kv 64, 2 layers): layer 0 local with a 32-token window, layer 1 global.</summary>
    private static readonly ModelConfig TinyWindowed = TestData.TinyMha with { Id = "tiny-swa", Window = new AttentionWindow(32, [true, false]) };

    [TestMethod]
    public void TinyWindowed_BlocksByHand()
    {
        var pool = PoolPlan.For(TestData.Decode(TinyWindowed, TestData.Round, "fp16", 1, 1), 16, 64);
        // FP16 K+V per token per layer: 2 x 64 x 2 B = 256 B; two layers, one of them local.
        Assert.AreEqual(512.0, pool.BytesPerToken);
        Assert.AreEqual(256.0, pool.LocalBytesPerToken);
        Assert.AreEqual(16 * 512.0, pool.BlockBytes);
        Assert.AreEqual(1, pool.BlocksFor(10));   // 1 slot block, both layers
        Assert.AreEqual(3, pool.BlocksFor(40));   // 3 slot blocks, the window's 3 (ceil(32/16) + 1) all held
        // l = 49: 4 slot blocks globally, 3 locally: 16 x 256 x (4 + 3) B = 3.5 blocks of 8 KiB -> 4.
        Assert.AreEqual(4, pool.BlocksFor(49));
        // l = 100: 7 slot blocks globally, still 3 locally: 16 x 256 x 10 = 5 blocks (7 before local layers were capped).
        Assert.AreEqual(5, pool.BlocksFor(100));
        var layout = LayoutCache.Get(TestData.Scheme("fp16"), TinyWindowed);
        for (long l = 1; l <= 400; l += 3)
        {
            double exact = CacheMemory.TotalBytesPerSequence(layout, l);
            double held = pool.BlocksFor(l) * pool.BlockBytes;
            Assert.IsTrue(held >= exact, $"l={l}: {held} < {exact}");
            Assert.IsTrue(pool.BlocksFor(l) >= pool.BlocksFor(l - 1), $"l={l}: not monotone");
        }
    }

    [TestMethod]
    public void DenseModel_BlocksUnchanged()
    {
        var pool = PoolPlan.For(TestData.Decode(TestData.TinyMha, TestData.Round, "fp16", 1, 1), 16, 64);
        Assert.AreEqual(0, pool.LocalBytesPerToken);
        Assert.AreEqual(7, pool.BlocksFor(100));
        Assert.AreEqual((pool.TotalBlocks - pool.StateBlocksPerSequence) * 16, pool.MaxTokensOneSequence);
    }

    [TestMethod]
    public void GptOss20b_HalfItsLayersHoldOnly128Tokens()
    {
        var m = TestData.Model("gpt-oss-20b");
        var pool = PoolPlan.For(TestData.Decode(m, TestData.Hardware("h100-sxm"), "fp16", 1, 1), 16, 8192);
        // 24 layers x 2 x 512 x 2 B = 49,152 B per token, 12 local layers 24,576 of it.
        Assert.AreEqual(49152.0, pool.BytesPerToken);
        Assert.AreEqual(24576.0, pool.LocalBytesPerToken);
        // 32K tokens: 2048 slot blocks globally, ceil(128/16) + 1 = 9 locally: (2048 + 9) / 2 = 1028.5 -> 1029 (2048 before).
        Assert.AreEqual(1029, pool.BlocksFor(32768));
        Assert.IsTrue(pool.MaxTokensOneSequence > 1.9 * (pool.TotalBlocks * 16));
    }
}
