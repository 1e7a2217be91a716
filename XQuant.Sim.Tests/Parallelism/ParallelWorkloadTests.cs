using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Parallelism;
using XQuant.Sim.Domain.Planning;

namespace XQuant.Sim.Tests.Parallelism;

/// <summary>Tensor parallelism composed with the #16 workloads: sliding windows under tp=tokens, MoE experts sharded by TP.</summary>
[TestClass]
public sealed class ParallelWorkloadTests
{
    private static readonly HardwareProfile RoundLinked = TestData.Round with { Interconnect = new Interconnect("test", 2e9, null, null, 1e-6, null, "switch") };

    private static Workload Decode(ModelConfig m, string scheme, double batch, double context, int tp) =>
        TestData.Decode(m, RoundLinked, scheme, batch, context) with { Parallel = tp == 1 ? null : new ParallelPlan(tp, 1, Link.From(RoundLinked.Interconnect)) };

    private static OpCost Op(Workload w, string name) =>
        Ledger.Build(w).SingleOrDefault(o => o.Name == name) ?? throw new AssertFailedException($"no op {name} in {string.Join(", ", Ledger.Build(w).Select(o => o.Name))}");

    [TestMethod]
    public void TokenSharding_OnALocalLayer_ShardsTheWindowNotTheContext()
    {
        // TinyMha (d = 64, 2 layers) with layer 0 local (W = 8), layer 1 global; l = 100, TP 2, tp=tokens.
        // Global layer: ceil(100 / 2) = 50 cached tokens per rank + the new one = 51 rows of X through full Wk.
        // Local layer: the window first (min(100, W - 1) = 7 cached), then the rank's share: ceil(7 / 2) = 4, + 1 = 5.
        var m = TestData.TinyMha with { Id = "tiny-local-global", Window = new AttentionWindow(8, [true, false]) };
        var w = Decode(m, "xquant:4,g=32,tp=tokens", 1, 100, tp: 2);
        Assert.AreEqual(2.0 * 51 * 64 * 64 + 2.0 * 5 * 64 * 64, Op(w, "remat_k").Flops);
        // Every head over the rank's tokens: 2 h d_h per attended token.
        Assert.AreEqual(2.0 * 4 * 16 * (51 + 5), Op(w, "attn_scores").Flops);
        // Communication is charged once per step, not once per window part.
        Assert.AreEqual(1, Ledger.Build(w).Count(o => o.Name == "tp_lse_combine"));
        Assert.AreEqual(2 * (1e-6 + 144e-9), Roofline.Step(w).Ops.Single(o => o.Op.Name == "tp_lse_combine").TimeSec, 1e-15);
    }

    [TestMethod]
    public void TensorParallel_ShardsEveryExpertByItsIntermediateWidth()
    {
        // 4 routed experts of width 32, top-2, batch 1: 2 experts touched. TP 2 gives each rank half of every expert (16 wide).
        var m = TestData.TinyMha with { Id = "tiny-moe", Moe = new MoeConfig(4, 2, 32, 0, 0) };
        Assert.AreEqual(16, Sharding.RankModel(m, 2).Moe!.ExpertIntermediateSize);
        var one = Decode(m, "fp16", 1, 10, tp: 1);
        var two = Decode(m, "fp16", 1, 10, tp: 2);
        Assert.AreEqual(2 * 2 * 64 * (2 * 16) * 2.0, Op(two, "expert_gate_up").Flops);           // 2 (b k) d 2f', 2 layers
        Assert.AreEqual(Op(one, "expert_gate_up").Flops / 2, Op(two, "expert_gate_up").Flops);
        Assert.AreEqual(2 * 64 * 32 * 2 * 2.0, Op(two, "expert_gate_up").Bytes(TensorClass.Weights)); // 2 experts x d x 2f' x 2 B, 2 layers
        // The router is replicated: d x E on every rank.
        Assert.AreEqual(Op(one, "moe_router").Flops, Op(two, "moe_router").Flops);
        // Capacity per rank holds half of every expert: layer = attention 16384 / 2 + norms 128 + 4 x 3 x 64 x 16 + router 256.
        double layer = 8192 + 128 + 4 * 3 * 64 * 16 + 256;
        Assert.AreEqual(2 * layer + 64 * 50 * 2 + 64, Sharding.RankWeightParams(m, TestData.Scheme("fp16"), 2, 1));
    }
}
