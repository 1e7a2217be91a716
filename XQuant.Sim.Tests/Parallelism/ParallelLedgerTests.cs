using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Memory;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Parallelism;
using XQuant.Sim.Domain.Planning;

namespace XQuant.Sim.Tests.Parallelism;

[TestClass]
public sealed class ParallelLedgerTests
{
    // Per direction 1 GB/s, alpha 1 us: round numbers for hand checks.
    private static readonly Link Slow = new("test", TopologyKind.Switch, 1e9, 1e-6, LatencyIsDefault: false, null);

    private static readonly HardwareProfile RoundLinked = TestData.Round with { Interconnect = new Interconnect("test", 2e9, null, null, 1e-6, null, "switch") };

    /// <summary>d = 64, 4 heads of 16, MHA; schemes use g = 32 so a per-token group fits a rank.</summary>
    private static readonly ModelConfig Tiny = TestData.TinyMha;

    private static Workload Decode(ModelConfig m, HardwareProfile hw, string scheme, double batch, double context, int tp, int pp = 1) =>
        TestData.Decode(m, hw, scheme, batch, context) with { Parallel = tp * pp == 1 ? null : new ParallelPlan(tp, pp, Link.From(hw.Interconnect)) };

    [TestMethod]
    [DataRow("fp16")]
    [DataRow("kivi:2,g=32")]
    [DataRow("xquant:4,g=32")]
    [DataRow("xquant:4,g=32,tp=tokens")]
    [DataRow("xquant-cl:2,g=32,base=1@4")]
    public void OneDevicePlan_ReproducesTheSingleDeviceLedgerExactly(string scheme)
    {
        var single = TestData.Decode(Tiny, RoundLinked, scheme, 3, 100);
        var plan = single with { Parallel = new ParallelPlan(1, 1, Slow) };
        var a = Roofline.Step(single);
        var b = Roofline.Step(plan);
        Assert.AreEqual(a.Ops.Count, b.Ops.Count);
        for (int i = 0; i < a.Ops.Count; i++)
        {
            Assert.AreEqual(a.Ops[i].Op.Name, b.Ops[i].Op.Name);
            Assert.AreEqual(a.Ops[i].Op.Flops, b.Ops[i].Op.Flops);
            Assert.AreEqual(a.Ops[i].Op.DramBytes, b.Ops[i].Op.DramBytes);
            Assert.AreEqual(a.Ops[i].TimeSec, b.Ops[i].TimeSec);
        }
        Assert.AreEqual(0, b.LinkSec);
        Assert.AreEqual(a.OverlappedSec, b.OverlappedSec);
        var ca = CaseCoster.Cost(single);
        var cb = CaseCoster.Cost(plan);
        Assert.AreEqual(ca.Capacity, cb.Capacity);
        Assert.AreEqual(ca.Cache.TotalBytes, cb.Cache.TotalBytes);
    }

    [TestMethod]
    public void TensorParallel_AddsTwoAllReducesPerLayer_TimedByTheLink()
    {
        var step = Roofline.Step(Decode(Tiny, RoundLinked, "fp16", 1, 100, tp: 2));
        // One token, d = 64, BF16: 128 B. Ring all-reduce over 2 ranks: 2*1*1us + 2*(1/2)*128 B / 1 GB/s = 2.128 us; 2 layers.
        var attn = step.Ops.Single(o => o.Op.Name == "tp_allreduce_attn");
        Assert.AreEqual(OpKind.Communication, attn.Op.Kind);
        Assert.AreEqual(2 * 2.128e-6, attn.TimeSec, 1e-15);
        Assert.AreEqual(0, attn.Op.DramBytes);
        Assert.AreEqual(attn.TimeSec, step.Ops.Single(o => o.Op.Name == "tp_allreduce_ffn").TimeSec);
        // Embedding all-reduce (once) and the FP32 logits all-gather: vocab 100 x 4 B = 400 B; 1 us + 1/2 * 400 / 1e9.
        Assert.AreEqual(2.128e-6, step.Ops.Single(o => o.Op.Name == "tp_embed_allreduce").TimeSec, 1e-15);
        Assert.AreEqual(1e-6 + 200e-9, step.Ops.Single(o => o.Op.Name == "tp_logits_gather").TimeSec, 1e-15);
        Assert.AreEqual(5 * 2.128e-6 + 1.2e-6, step.LinkSec, 1e-15);
    }

    [TestMethod]
    public void TensorParallel_SplitsTheProjectionsAndTheFfn_ByRank()
    {
        var one = Roofline.Step(TestData.Decode(Tiny, RoundLinked, "fp16", 1, 100));
        var two = Roofline.Step(Decode(Tiny, RoundLinked, "fp16", 1, 100, tp: 2));
        double Flops(StepCost s, string op) => s.Ops.Single(o => o.Op.Name == op).Op.Flops;
        foreach (string op in new[] { "q_proj", "o_proj", "ffn_gate_up", "ffn_down", "k_proj", "v_proj", "attn_scores", "lm_head" })
        {
            Assert.AreEqual(Flops(one, op) / 2, Flops(two, op), op);
        }
        // Norms are replicated: every rank normalizes the whole d.
        Assert.AreEqual(Flops(one, "attn_norm"), Flops(two, "attn_norm"));
    }

    [TestMethod]
    public void PerRankCacheBytes_OnTheTinyModel_FollowEachLayout()
    {
        static double PerToken(Workload w) => CacheMemory.PaperBytesPerToken(RankCapacity.Layout(w)) * Sharding.CachedTokenShare(w.Scheme, w.Plan.TensorParallel);
        // fp16, 2 layers x (K + V) x 64 x 2 B = 512 B per token; TP 2 halves the heads: 256 B.
        Assert.AreEqual(512, PerToken(Decode(Tiny, RoundLinked, "fp16", 1, 100, tp: 1)));
        Assert.AreEqual(256, PerToken(Decode(Tiny, RoundLinked, "fp16", 1, 100, tp: 2)));
        // xquant:4,g=32: X is 64 x 4 bit = 32 B + 2 groups x 4 B of scale/zero = 40 B per layer, 80 B per token.
        // tp=heads: every rank holds all of X (80 B); tp=tokens: half the tokens (40 B per token of the sequence).
        Assert.AreEqual(80, PerToken(Decode(Tiny, RoundLinked, "xquant:4,g=32", 1, 100, tp: 1)));
        Assert.AreEqual(80, PerToken(Decode(Tiny, RoundLinked, "xquant:4,g=32", 1, 100, tp: 2)));
        Assert.AreEqual(40, PerToken(Decode(Tiny, RoundLinked, "xquant:4,g=32,tp=tokens", 1, 100, tp: 2)));
        // TP 4: fp16 falls to 128 B per rank while replicated X stays at 80 B: the saving shrinks from 6.4x to 1.6x.
        Assert.AreEqual(128, PerToken(Decode(Tiny, RoundLinked, "fp16", 1, 100, tp: 4)));
        Assert.AreEqual(80, PerToken(Decode(Tiny, RoundLinked, "xquant:4,g=32", 1, 100, tp: 4)));
    }

    [TestMethod]
    public void XQuantGqa_GlobalSvdReplicatesTheLatents_PerRankSvdShardsThem()
    {
        var gqa2 = Tiny with { Id = "tiny-gqa2", KvHeads = 2 }; // d_kv = 32
        static int Width(Workload w) => RankCapacity.Layout(w).Layers[0].Tensors.Sum(t => t.WidthElements);
        Assert.AreEqual(64, Width(Decode(gqa2, RoundLinked, "xquant-gqa:4,g=16", 1, 100, tp: 1)));
        Assert.AreEqual(64, Width(Decode(gqa2, RoundLinked, "xquant-gqa:4,g=16", 1, 100, tp: 2)));
        Assert.AreEqual(32, Width(Decode(gqa2, RoundLinked, "xquant-gqa:4,g=16,svd=per-rank", 1, 100, tp: 2)));
        // Remat: global latents (32 wide) into the rank's 16 KV columns; per-rank: 16 into 16.
        var global = Roofline.Step(Decode(gqa2, RoundLinked, "xquant-gqa:4,g=16", 1, 100, tp: 2));
        var perRank = Roofline.Step(Decode(gqa2, RoundLinked, "xquant-gqa:4,g=16,svd=per-rank", 1, 100, tp: 2));
        Assert.AreEqual(2.0 * 101 * 32 * 16 * 2, global.Ops.Single(o => o.Op.Name == "remat_k").Op.Flops);
        Assert.AreEqual(2.0 * 101 * 16 * 16 * 2, perRank.Ops.Single(o => o.Op.Name == "remat_k").Op.Flops);
    }

    [TestMethod]
    public void TokenSharding_RematerializesEveryHead_OverItsTokenShare_AndCombinesByLogSumExp()
    {
        var step = Roofline.Step(Decode(Tiny, RoundLinked, "xquant:4,g=32,tp=tokens", 1, 100, tp: 2));
        // ceil(100 / 2) = 50 cached tokens + the new one; full Wk: 2 x 51 x 64 x 64 per layer, 2 layers.
        Assert.AreEqual(2.0 * 51 * 64 * 64 * 2, step.Ops.Single(o => o.Op.Name == "remat_k").Op.Flops);
        Assert.AreEqual(2.0 * 4 * 16 * 51 * 2, step.Ops.Single(o => o.Op.Name == "attn_scores").Op.Flops);
        // Queries gathered: 64 x 2 B = 128 B, 1 us + 1/2 x 128 / 1e9; partials 4 heads x (16 + 2) x 4 B = 288 B reduce-scattered.
        Assert.AreEqual(2 * (1e-6 + 64e-9), step.Ops.Single(o => o.Op.Name == "tp_q_gather").TimeSec, 1e-15);
        Assert.AreEqual(2 * (1e-6 + 144e-9), step.Ops.Single(o => o.Op.Name == "tp_lse_combine").TimeSec, 1e-15);
    }

    [TestMethod]
    public void Llama2_70B_Tp8_OnDgxH100_ByHand()
    {
        var m = TestData.Model("llama-2-70b");
        var hw = HardwareProfileLoader.Resolve("dgx-h100");
        Assert.AreEqual(8, hw.NodeDevices);
        var w = Decode(m, hw, "fp16", 16, 4096, tp: 8);
        var r = CaseCoster.Cost(w);
        // Cache per rank: 16 seq x 4096 tokens x 80 layers x (K + V) x (1024 / 8) x 2 B = 2,684,354,560 B.
        Assert.AreEqual(16.0 * 4096 * 80 * 2 * 128 * 2, r.Cache.TotalBytes);
        // Weights per rank: 80 x (8192 x 1024 + 2 x 8192 x 128 + 1024 x 8192 + 3 x 8192 x 3584 + 2 x 8192)
        // + embedding and LM head 2 x 4000 x 8192 + final norm 8192 = 8,687,714,304 params x 2 B.
        Assert.AreEqual(2.0 * (80.0 * (8192 * 1024 + 2 * 8192 * 128 + 1024 * 8192 + 3 * 8192 * 3584 + 2 * 8192) + 2 * 4000 * 8192 + 8192), r.Capacity.WeightBytes);
        // All-reduce per layer: 16 x 8192 x 2 B = 256 KiB; 14 x 1 us + 2 x 7/8 x 262144 / 450e9 = 15.019 us.
        double ar = 14e-6 + 1.75 * 262144 / 450e9;
        Assert.AreEqual(80 * ar, r.Step.Ops.Single(o => o.Op.Name == "tp_allreduce_attn").TimeSec, 1e-12);
    }

    [TestMethod]
    public void PipelineParallel_SendsActivationsBetweenStages_AndHoldsASharePerStage()
    {
        var m = TestData.Model("llama-2-70b");
        var hw = HardwareProfileLoader.Resolve("dgx-h100");
        var one = CaseCoster.Cost(Decode(m, hw, "fp16", 8, 4096, tp: 2));
        var pp = CaseCoster.Cost(Decode(m, hw, "fp16", 8, 4096, tp: 2, pp: 4));
        // 3 sends of 8 x 8192 x 2 B: 3 x (1 us + 131072 / 450e9).
        Assert.AreEqual(3 * (1e-6 + 131072 / 450e9), pp.Step.Ops.Single(o => o.Op.Name == "pp_send").TimeSec, 1e-15);
        // 20 of 80 layers per stage: a quarter of the cache.
        Assert.AreEqual(one.Cache.TotalBytes / 4, pp.Cache.TotalBytes);
        var p = PipelineThroughput.Of(pp.Workload);
        Assert.AreEqual(4, p.MicroBatches);
        Assert.AreEqual(3.0 / 7, p.BubbleFraction, 1e-15);
    }
}
