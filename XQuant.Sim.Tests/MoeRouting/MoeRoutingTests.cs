using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Models;

namespace XQuant.Sim.Tests.MoeRouting;

[TestClass]
public sealed class MoeRoutingTests
{
    private static readonly ModelConfig TinyMoe = TestData.TinyMha with { Id = "tiny-moe", Moe = new MoeConfig(4, 2, 32, 0, 0) };

    private static OpCost Op(Workload w, string name) => Ledger.Build(w).Single(o => o.Name == name);

    [TestMethod]
    public void ZipfZero_IsUniform_ToTheDigit()
    {
        var moe = new MoeConfig(128, 8, 768, 0, 0);
        foreach (double t in new[] { 1.0, 3, 17, 256, 4096 })
        {
            Assert.AreEqual(moe.ExpectedDistinctExperts(t), new Domain.Models.MoeRouting(Skew: 0).ExpectedDistinctExperts(moe, t));
        }
        var w = TestData.Decode(TinyMoe, TestData.Round, "fp16", 3, 10);
        Assert.AreEqual(Op(w, "expert_gate_up").Bytes(TensorClass.Weights), Op(w with { Routing = Domain.Models.MoeRouting.Uniform }, "expert_gate_up").Bytes(TensorClass.Weights));
    }

    [TestMethod]
    public void InclusionProbabilities_SumToK_AndStayAtMostOne()
    {
        foreach (double s in new[] { 0.0, 0.5, 1.0, 2.0, 8.0 })
        {
            var pi = Domain.Models.MoeRouting.InclusionProbabilities(64, 6, s);
            Assert.AreEqual(6.0, pi.Sum(), 1e-9, $"s={s}");
            Assert.IsTrue(pi.All(p => p is >= 0 and <= 1 + 1e-12), $"s={s}");
            for (int i = 1; i < pi.Length; i++)
            {
                Assert.IsTrue(pi[i] <= pi[i - 1] + 1e-15, "popularity order");
            }
        }
        // Hand case: E = 4, k = 2, s = 1: p = (12, 6, 4, 3) / 25, 2 p_1 = 0.96 < 1, so pi = 2 p.
        var hand = Domain.Models.MoeRouting.InclusionProbabilities(4, 2, 1);
        CollectionAssert.AreEqual(new[] { 24 / 25.0, 12 / 25.0, 8 / 25.0, 6 / 25.0 }.Select(x => Math.Round(x, 12)).ToList(), hand.Select(x => Math.Round(x, 12)).ToList());
        // s = 3 caps the favourite at 1 and spreads the remaining k - 1 over the rest.
        var capped = Domain.Models.MoeRouting.InclusionProbabilities(4, 2, 3);
        Assert.AreEqual(1.0, capped[0]);
        Assert.AreEqual(1.0, capped.Skip(1).Sum(), 1e-12);
    }

    [TestMethod]
    public void Skew_TouchesFewerExperts_OneTokenTouchesK()
    {
        var moe = new MoeConfig(128, 8, 768, 0, 0);
        Assert.AreEqual(8.0, new Domain.Models.MoeRouting(Skew: 1.2).ExpectedDistinctExperts(moe, 1), 1e-9);
        double prev = double.MaxValue;
        foreach (double s in new[] { 0.0, 0.5, 1.0, 1.5 })
        {
            double touched = new Domain.Models.MoeRouting(Skew: s).ExpectedDistinctExperts(moe, 64);
            Assert.IsTrue(touched < prev, $"s={s}: {touched}");
            prev = touched;
        }
    }

    [TestMethod]
    public void TouchedFraction_HandComputedLedger()
    {
        // Half of the 4 experts, whatever the batch: 2 x d x 2f x 2 B x 2 layers.
        var w = TestData.Decode(TinyMoe, TestData.Round, "fp16", 3, 10) with { Routing = new Domain.Models.MoeRouting(TouchedFraction: 0.5) };
        Assert.AreEqual(2 * 64 * 64 * 2 * 2.0, Op(w, "expert_gate_up").Bytes(TensorClass.Weights));
        Assert.AreEqual(2 * 32 * 64 * 2 * 2.0, Op(w, "expert_down").Bytes(TensorClass.Weights));
        var notes = Roofline.Step(w).Notes;
        Assert.IsTrue(notes.Any(n => n.Contains("measured routing", StringComparison.Ordinal)), string.Join("; ", notes));
    }

    [TestMethod]
    public void Cli_Routing_StatedInOutput_BadInputExit2()
    {
        var (code, o, _) = TestCli.Run("ledger", "-H", "h100-sxm", "-m", "qwen3-30b-a3b", "--scheme", "xquant-gqa:4", "-b", "16", "--moe-routing", "zipf=1");
        Assert.AreEqual(0, code);
        StringAssert.Contains(o, "Zipf-skewed routing (s = 1)");
        foreach (var (model, routing) in new[] { ("qwen3-30b-a3b", "zipf=-1"), ("qwen3-30b-a3b", "touched=0"), ("qwen3-30b-a3b", "hot"), ("llama-3.1-8b", "zipf=1") })
        {
            var (c, output, e) = TestCli.Run("ledger", "-H", "h100-sxm", "-m", model, "--moe-routing", routing);
            Assert.AreEqual(2, c, routing);
            Assert.AreEqual("", output);
            Assert.AreEqual(1, e.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, e);
            StringAssert.StartsWith(e, "--moe-routing:", e);
        }
    }
}
