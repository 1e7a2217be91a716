using XQuant.Sim.Domain.Memory;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Domain.Schemes;
using XQuant.Sim.Studies.Serving;

namespace XQuant.Sim.Tests.Serving;

[TestClass]
public sealed class PoolPlanTests
{
    [TestMethod]
    [DataRow("fp16")]
    [DataRow("kivi:2")]
    [DataRow("kivi:4")]
    [DataRow("xquant:4")]
    [DataRow("xquant-cl:2")]
    [DataRow("xquant-gqa:2")]
    [DataRow("xquant-cl-gqa:2")]
    public void BlocksOfASequence_NeverHoldLessThanItsExactBytes(string scheme)
    {
        var w = ServingKit.Template(scheme);
        var pool = PoolPlan.For(w, 16, 8192);
        var layout = LayoutCache.Get(w.Scheme, w.Model);
        for (long l = 1; l <= 2000; l += 7)
        {
            double exact = CacheMemory.TotalBytesPerSequence(layout, l);
            double held = pool.BlocksFor(l) * pool.BlockBytes;
            Assert.IsTrue(held >= exact, $"{scheme} l={l}: blocks hold {held} < exact {exact}");
            Assert.IsTrue(held - exact <= (pool.StateBlocksPerSequence + 1) * pool.BlockBytes, $"{scheme} l={l}: waste beyond one block and the state");
        }
    }

    [TestMethod]
    public void Pool_IsDeviceMinusReserveWeightsActivations_InWholeBlocks()
    {
        var w = ServingKit.Template("fp16");
        var pool = PoolPlan.For(w, 16, 8192);
        double free = 80e9 * 0.9 - Capacity.WeightBytes(w) - Capacity.ActivationBytes(w, 8192, 0);
        // FP16 K+V of one token over 32 layers: 2 x 1024 x 2 B x 32 = 131072 B; a block of 16 tokens = 2 MiB.
        Assert.AreEqual(131072.0, pool.BytesPerToken);
        Assert.AreEqual(Math.Floor(free / (16 * 131072.0)), pool.TotalBlocks);
        Assert.AreEqual(0, pool.StateBlocksPerSequence);
        // KIVI's windows (keys and values, 128 tokens each) are per-sequence state.
        Assert.IsTrue(PoolPlan.For(ServingKit.Template("kivi:2"), 16, 8192).StateBlocksPerSequence > 0);
    }

    [TestMethod]
    public void VllmDefaults_FollowDeviceMemory()
    {
        Assert.AreEqual((8192, 1024), SchedulerConfig.VllmDefaults(TestData.Hardware("h100-sxm"), offline: false));
        Assert.AreEqual((16384, 1024), SchedulerConfig.VllmDefaults(TestData.Hardware("h100-sxm"), offline: true));
        Assert.AreEqual((2048, 256), SchedulerConfig.VllmDefaults(TestData.Hardware("a100-sxm-80gb"), offline: false));
        Assert.AreEqual((2048, 256), SchedulerConfig.VllmDefaults(TestData.Hardware("l4"), offline: false));
    }
}
