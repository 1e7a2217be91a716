using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Studies.Serving;

namespace XQuant.Sim.Tests.MlaModels;

/// <summary>A serving iteration of a MoE model streams the experts its tokens touch together, not k per sequence.</summary>
[TestClass]
public sealed class MoeServingTests
{
    [TestMethod]
    [DataRow("deepseek-v2-lite-chat", "mla")]
    [DataRow("deepseek-v2-lite-chat", "xquant:4")]
    [DataRow("mixtral-8x7b", "fp16")]
    public void UniformBatch_EqualsTheLedgerAtThatBatch(string model, string scheme)
    {
        var w = TestData.Decode(TestData.Model(model), TestData.Hardware("h100-sxm"), scheme, 1, 1);
        var coster = new IterationCoster(w);
        foreach (var (batch, context) in new[] { (1, 1000), (8, 300), (64, 1000) })
        {
            var acc = coster.NewAccumulator();
            for (int i = 0; i < batch; i++)
            {
                IterationCoster.Add(acc, coster.Decode(context));
            }
            var step = Roofline.Step(w with { Batch = batch, ContextTokens = context });
            var t = coster.Time(acc);
            Assert.AreEqual(step.DramBytes, t.DramBytes, step.DramBytes * 1e-9, $"b={batch} l={context}");
            Assert.AreEqual(step.OverlappedSec, t.TimeSec, step.OverlappedSec * 1e-9, $"b={batch} l={context}");
        }
    }

    [TestMethod]
    public void TinyMoe_TwoSequences_TouchTheExpectedExperts()
    {
        // 4 experts, top-2: one token touches 2, two tokens 4 (1 - (1/2)^2) = 3, not 2 + 2.
        var m = TestData.TinyMha with { Id = "tiny-moe", Moe = new MoeConfig(4, 2, 32, 0, 0) };
        var w = TestData.Decode(m, TestData.Round, "fp16", 1, 1);
        var coster = new IterationCoster(w);
        var one = coster.NewAccumulator();
        IterationCoster.Add(one, coster.Decode(10));
        var two = coster.NewAccumulator();
        IterationCoster.Add(two, coster.Decode(10));
        IterationCoster.Add(two, coster.Decode(10));
        double perExpert = (64 * 2 * 32 + 32 * 64) * 2.0 * 2; // gate/up d x 2f + down f x d, BF16, 2 layers
        double cacheAndRest = coster.Time(two).DramBytes - coster.Time(one).DramBytes;
        double ledgerDelta = Roofline.Step(w with { Batch = 2, ContextTokens = 10 }).DramBytes - Roofline.Step(w with { ContextTokens = 10 }).DramBytes;
        Assert.AreEqual(ledgerDelta, cacheAndRest, 1e-6);
        Assert.AreEqual(perExpert, Ledger.Build(w with { Batch = 2, ContextTokens = 10 }).Where(o => o.Name.StartsWith("expert_", StringComparison.Ordinal)).Sum(o => o.Bytes(TensorClass.Weights))
            - Ledger.Build(w with { ContextTokens = 10 }).Where(o => o.Name.StartsWith("expert_", StringComparison.Ordinal)).Sum(o => o.Bytes(TensorClass.Weights)), 1e-6);
    }
}
