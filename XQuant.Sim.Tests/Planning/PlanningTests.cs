using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Memory;
using XQuant.Sim.Domain.Planning;

namespace XQuant.Sim.Tests.Planning;

[TestClass]
public sealed class PlanningTests
{
    [TestMethod]
    public void Capacity_HandComputed_OnRoundDevice()
    {
        // 1 GB device, 10% reserve; tiny model weights ~ 0.1 MB; cache fp16: 2 layers x 2 x 64 x 2 B = 512 B per token.
        var w = TestData.Decode(TestData.TinyMha, TestData.Round, "fp16", 1, 1000);
        var c = CaseCoster.Cost(w).Capacity;
        double weights = TestData.TinyMha.TotalParams * 2;
        Assert.AreEqual(weights, c.WeightBytes);
        Assert.AreEqual(1000 * 512.0, c.CacheBytes);
        Assert.AreEqual(1e8, c.ReserveBytes);
        double perSeqAct = (4.0 * 64 + 64 + 2 * 64 + 3 * 128) * 2 + 100 * 4;
        Assert.AreEqual(perSeqAct, c.ActivationBytes);
        double free = 1e9 - 1e8 - weights;
        Assert.AreEqual(Math.Floor(free / (1000 * 512 + perSeqAct)), c.MaxBatchAtContext);
        Assert.AreEqual(Math.Floor((free - perSeqAct) / 512), c.MaxContextAtBatch);
        Assert.IsTrue(c.Fits);
    }

    [TestMethod]
    public void Capacity_SmallerCacheFitsMoreSequences()
    {
        var m = TestData.Model("llama-2-7b");
        var hw = TestData.Hardware("h100-sxm");
        double fp16 = CaseCoster.Cost(TestData.Decode(m, hw, "fp16", 1, 32768)).Capacity.MaxBatchAtContext;
        double kivi2 = CaseCoster.Cost(TestData.Decode(m, hw, "kivi:2", 1, 32768)).Capacity.MaxBatchAtContext;
        double cl2 = CaseCoster.Cost(TestData.Decode(m, hw, "xquant-cl:2", 1, 32768)).Capacity.MaxBatchAtContext;
        Assert.IsTrue(fp16 < kivi2 && kivi2 < cl2, $"{fp16} {kivi2} {cl2}");
    }

    [TestMethod]
    public void MaxContext_IsTheLargestThatFits()
    {
        var w = TestData.Decode(TestData.Model("llama-3.1-8b"), TestData.Hardware("rngd"), "xquant-gqa:2", 4, 1024);
        var c = CaseCoster.Cost(w).Capacity;
        var layout = w.Scheme.Layout(w.Model);
        double free = c.DeviceBytes - c.ReserveBytes - c.WeightBytes;
        double Need(double l) => 4 * CacheMemory.TotalBytesPerSequence(layout, l, worstWindow: true) + Capacity.ActivationBytes(w, 4, l);
        Assert.IsTrue(Need(c.MaxContextAtBatch) <= free);
        Assert.IsTrue(Need(c.MaxContextAtBatch + 1) > free);
    }

    [TestMethod]
    public void HideContext_LedgerAgreesWithClosedForm_AndShrinksAsOneOverBatch()
    {
        var m = TestData.Model("llama-2-7b");
        var hw = TestData.Hardware("h100-pcie");
        var w1 = TestData.Decode(m, hw, "xquant:4", 1, 4096);
        var r = BreakEven.Analyze(w1, w1 with { Scheme = TestData.Scheme("kivi:4") });
        // Closed form from the paper's argument: one layer's weights x ridge / remat FLOPs per token per layer.
        double closed = m.LayerParams * 2 * (756.5e12 / 2000e9) / (2 * 2 * 4096.0 * 4096);
        Assert.AreEqual(closed, r.HideContextClosedForm, closed * 1e-9);
        Assert.AreEqual(closed, r.HideContextTokens, closed * 0.05, "ledger vs closed form");
        double hide8 = BreakEven.HideContext(w1 with { Batch = 8 });
        Assert.AreEqual(r.HideContextTokens / 8, hide8, r.HideContextTokens / 8 * 0.1);
    }

    [TestMethod]
    public void HideContext_IsExactlyWhereComputeMeetsMemory()
    {
        var w = TestData.Decode(TestData.Model("llama-3.1-8b"), TestData.Hardware("h200"), "xquant-gqa:2", 2, 1);
        double l = BreakEven.HideContext(w);
        var at = Roofline.Step(w with { ContextTokens = l });
        var above = Roofline.Step(w with { ContextTokens = l + 1 });
        Assert.IsTrue(at.ComputeSec <= at.MemorySec);
        Assert.IsTrue(above.ComputeSec > above.MemorySec);
    }

    [TestMethod]
    public void Crossover_XQuantBeatsKiviBelowAndLosesAbove_OnMha()
    {
        var w = TestData.Decode(TestData.Model("llama-2-7b"), TestData.Hardware("h100-sxm"), "xquant:4", 1, 4096);
        var kivi = w with { Scheme = TestData.Scheme("kivi:4") };
        var crossings = BreakEven.Crossovers(w, kivi);
        Assert.AreEqual(1, crossings.Count);
        Assert.IsTrue(crossings[0].SchemeFasterBelow);
        double l = crossings[0].At;
        Assert.AreEqual(CrossoverAxis.ContextTokens, crossings[0].Axis);
        Assert.IsTrue(Roofline.Step(w with { ContextTokens = l }).OverlappedSec <= Roofline.Step(kivi with { ContextTokens = l }).OverlappedSec);
        Assert.IsTrue(Roofline.Step(w with { ContextTokens = l + 1 }).OverlappedSec > Roofline.Step(kivi with { ContextTokens = l + 1 }).OverlappedSec);
    }

    [TestMethod]
    public void RidgeNeeded_IsSchemeFlopsOverVersusBytes()
    {
        var w = TestData.Decode(TestData.Model("llama-2-7b"), TestData.Hardware("h100-sxm"), "xquant:4", 1, 8192);
        var kivi = w with { Scheme = TestData.Scheme("kivi:4") };
        var r = BreakEven.Analyze(w, kivi);
        Assert.AreEqual(Roofline.Step(w).Flops / Roofline.Step(kivi).DramBytes, r.RidgeNeededFlopsPerByte, 1e-9);
        Assert.AreEqual(989.5e12 / 3350e9, r.DeviceRidgeFlopsPerByte, 1e-9);
    }

    [TestMethod]
    public void BatchCrossover_XQuantLosesItsShortContextLeadAsBatchGrows()
    {
        // At 1K tokens on an H100, XQuant-4 beats KIVI*-4 at batch 1 (remat hides under the weights) and loses at batch 2.
        var w = TestData.Decode(TestData.Model("llama-2-7b"), TestData.Hardware("h100-sxm"), "xquant:4", 1, 1024);
        var kivi = w with { Scheme = TestData.Scheme("kivi:4") };
        var c = BreakEven.BatchCrossovers(w, kivi);
        Assert.AreEqual(1, c.Count);
        Assert.AreEqual(CrossoverAxis.Batch, c[0].Axis);
        Assert.AreEqual(1, c[0].At);
        Assert.IsTrue(c[0].SchemeFasterBelow);
    }
}
