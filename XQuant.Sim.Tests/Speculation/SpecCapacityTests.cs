using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Tests.Speculation;

[TestClass]
public sealed class SpecCapacityTests
{
    private static Workload Decode(string model, string scheme, double batch, double context) =>
        new(TestData.Model(model), TestData.Hardware("h100-sxm"), SchemeRegistry.ParseFor(scheme, TestData.Model(model))[0], WeightPrecision.Bf16, batch, context, Phase.Decode);

    private static CapacityResult Plan(Workload w) => Capacity.Plan(w, LayoutCache.Get(w.Scheme, w.Model));

    [TestMethod]
    public void NoDrafts_AddNothing()
    {
        var plain = Decode("llama-3.1-8b", "fp16", 2, 4096);
        var k0 = plain with { Speculation = new SpecDecoding(0, 0.7, SpecDrafter.Model, TestData.Model("llama-3.2-1b")) };
        Assert.AreEqual(Plan(plain), Plan(k0));
    }

    [TestMethod]
    public void DraftModel_AddsItsWeights_BothCachesHoldLPlusK_AndKPlus1ActivationRows()
    {
        var plain = Decode("llama-3.1-8b", "fp16", 2, 4096);
        var draft = TestData.Model("llama-3.2-1b");
        var spec = plain with { Speculation = new SpecDecoding(3, 0.7, SpecDrafter.Model, draft) };
        var p = Plan(plain);
        var s = Plan(spec);
        Assert.AreEqual(p.WeightBytes + draft.TotalParams * 2.0, s.WeightBytes, 1.0);
        // By hand: Llama-3.1-8B FP16 K+V per token = 32 layers x 2 x 1024 x 2 B = 131,072 B; Llama-3.2-1B (the drafter,
        // FP16 cache) = 16 layers x 2 x 512 x 2 B = 32,768 B; 2 sequences x (4096 + 3) tokens held.
        Assert.AreEqual(2 * 4099 * (131072.0 + 32768.0), s.CacheBytes, 1.0);
        Assert.AreEqual(2 * 4096 * 131072.0, p.CacheBytes, 1.0);
        // k + 1 = 4 rows of the working set per sequence instead of 1: (4d + q + 2 kv + 3 I) x 2 B + vocab x 4 B a row.
        var m = plain.Model;
        double row = (4.0 * m.HiddenSize + m.QDim + 2.0 * m.KvDim + 3.0 * m.IntermediateSize) * 2.0 + m.VocabSize * 4.0;
        Assert.AreEqual(p.ActivationBytes + 2 * 3 * row, s.ActivationBytes, 1.0);
        Assert.IsLessThan(p.MaxBatchAtContext, s.MaxBatchAtContext);
        Assert.IsLessThan(p.MaxContextAtBatch, s.MaxContextAtBatch);
    }

    [TestMethod]
    public void FreeDrafter_HoldsLPlusK_WithoutDrafterWeights()
    {
        var plain = Decode("llama-3.1-8b", "xquant-gqa:2", 4, 8192);
        var spec = plain with { Speculation = new SpecDecoding(4, 0.6) };
        var p = Plan(plain);
        var s = Plan(spec);
        Assert.AreEqual(p.WeightBytes, s.WeightBytes);
        var layout = LayoutCache.Get(plain.Scheme, plain.Model);
        Assert.AreEqual(Domain.Memory.CacheMemory.ForBatch(layout, 4, 8196).TotalBytes, s.CacheBytes, 1.0);
    }

    [TestMethod]
    public void MtpModule_AddsOneRoutedLayerAndTheEhProjection_NotTheSharedEmbeddingOrHead()
    {
        var plain = Decode("deepseek-v3", "mla", 1, 4096) with { Weights = WeightPrecision.Fp8 };
        var spec = plain with { Speculation = new SpecDecoding(1, 0.8, SpecDrafter.Mtp) };
        double added = Plan(spec).WeightBytes - Plan(plain).WeightBytes;
        var m = plain.Model;
        // One MoE decoder layer of the target's shape at 1 B/weight, + eh_proj 2d x d, + two BF16 norms of d.
        double layer = SpecStep.MtpModel(m).TotalParams - m.EmbeddingParams - m.LmHeadParams - m.HiddenSize;
        Assert.AreEqual(layer + 2.0 * m.HiddenSize * m.HiddenSize + 4.0 * m.HiddenSize, added, 1.0);
        // DeepSeek publishes 14B MTP weights, which include its own copies of the embedding and head (2 x 129,280 x
        // 7,168 = 1.85B): the module proper is about 12B; ours must be of that size, not a dense layer's 0.2B.
        Assert.IsGreaterThan(11e9, added);
        Assert.IsLessThan(12.5e9, added);
    }
}
