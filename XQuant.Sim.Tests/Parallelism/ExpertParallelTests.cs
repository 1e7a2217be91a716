using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Parallelism;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Studies.Serving;
using XQuant.Sim.Tests.Serving;
using static XQuant.Sim.Tests.TestCli;

namespace XQuant.Sim.Tests.Parallelism;

/// <summary>Expert parallelism (--ep = --tp on a MoE model): all-to-all dispatch and combine, whole experts per rank.</summary>
[TestClass]
public sealed class ExpertParallelTests
{
    private static readonly Link Nv = new("test", TopologyKind.Switch, 450e9, 1e-6, LatencyIsDefault: false, null);

    private static Workload Moe(string model, int tp, int ep, double batch = 16, double context = 4096, string scheme = "fp16")
    {
        var hw = TestData.Hardware("h100-sxm");
        return new Workload(TestData.Model(model), hw, TestData.Scheme(scheme), WeightPrecision.Bf16, batch, context,
            Parallel: new ParallelPlan(tp, 1, Link.From(hw.Interconnect), 0, ep));
    }

    private static double LinkSec(StepCost s, string name) => s.Ops.Where(o => o.Op.Name == name).Sum(o => o.LinkSec);

    [TestMethod]
    public void AllToAll_IsPMinusOneAlpha_PlusPMinusOneOverP_BytesOverBandwidth()
    {
        // p = 4, 1 MB sent per rank: 3 x 1 us + 3/4 x 1e6 / 450e9 = 3 us + 1.6667 us.
        Assert.AreEqual(3e-6 + 0.75e6 / 450e9, Collectives.AllToAllSec(Nv, 4, 1e6), 1e-15);
        Assert.AreEqual(0, Collectives.AllToAllSec(Nv, 1, 1e6));
    }

    [TestMethod]
    public void Qwen3MoE_Ep4_Ledger_ByHand()
    {
        // Qwen3-30B-A3B (48 MoE layers, d 2048, 128 experts, top 8), TP = EP = 4 on the H100's NVLink 4
        // (450e9 B/s per direction, alpha 1 us), decode batch 16:
        // dispatch per rank = 16 / 4 tokens x 8 experts x 2048 x 2 B = 131,072 B; all-to-all = 3 us + 3/4 x 131072 / 450e9
        //   = 3.2185 us, x 48 layers, for dispatch and again for combine;
        // all-gather of the hidden states 16 x 2048 x 2 B = 65,536 B: 3 us + 3/4 x 65536 / 450e9, x 48;
        // no FFN all-reduce (every layer is MoE).
        var s = Roofline.Step(Moe("qwen3-30b-a3b", 4, 4));
        double allToAll = 3e-6 + 0.75 * 131072 / 450e9;
        Assert.AreEqual(48 * allToAll, LinkSec(s, "ep_dispatch"), 1e-15);
        Assert.AreEqual(48 * allToAll, LinkSec(s, "ep_combine"), 1e-15);
        Assert.AreEqual(48 * (3e-6 + 0.75 * 65536 / 450e9), LinkSec(s, "ep_allgather"), 1e-15);
        Assert.IsFalse(s.Ops.Any(o => o.Op.Name == "tp_allreduce_ffn"));
        // The rank's experts: 32 whole ones, touched E (1 - (1 - k/E)^16) / 4 under uniform routing; FLOPs of
        // 16 x 8 / 4 expert inputs: the same FLOPs and weight bytes as slicing every expert by TP.
        var tp = Roofline.Step(Moe("qwen3-30b-a3b", 4, 1));
        foreach (string op in new[] { "expert_gate_up", "expert_down" })
        {
            var a = s.Ops.Single(o => o.Op.Name == op).Op;
            var b = tp.Ops.Single(o => o.Op.Name == op).Op;
            Assert.AreEqual(b.Flops, a.Flops, b.Flops * 1e-12, op);
            Assert.AreEqual(b.Bytes(TensorClass.Weights), a.Bytes(TensorClass.Weights), b.Bytes(TensorClass.Weights) * 1e-12, op);
        }
        double touched = 128 * (1 - Math.Pow(1 - 8.0 / 128, 16)) / 4;
        Assert.AreEqual(48 * touched * 3 * 2048 * 768 * 2.0, s.Ops.Where(o => o.Op.Name is "expert_gate_up" or "expert_down").Sum(o => o.Op.Bytes(TensorClass.Weights)), 1);
    }

    [TestMethod]
    public void Capacity_HoldsEOverEpWholeExperts_AndTheSharedExpertsWhole()
    {
        // Qwen3 has no shared experts: E / EP whole experts weigh what E experts of width / TP weigh.
        Assert.AreEqual(RankCapacity.WeightBytes(Moe("qwen3-30b-a3b", 4, 1)), RankCapacity.WeightBytes(Moe("qwen3-30b-a3b", 4, 4)), 1);
        // DeepSeek-V2-Lite (27 layers, the first dense; 64 routed + 2 shared experts of 3 x 2048 x 1408): at TP = EP = 2
        // the shared experts stay whole on each rank, half of them more than TP's slices:
        // 26 MoE layers x 2 x 3 x 2048 x 1408 x (1 - 1/2) params x 2 B.
        double extra = 26 * 2 * 3.0 * 2048 * 1408 * 0.5 * 2;
        Assert.AreEqual(RankCapacity.WeightBytes(Moe("deepseek-v2-lite-chat", 2, 1)) + extra, RankCapacity.WeightBytes(Moe("deepseek-v2-lite-chat", 2, 2)), 1);
        // Its first (dense) layer keeps the FFN all-reduce.
        var s = Roofline.Step(Moe("deepseek-v2-lite-chat", 2, 2, scheme: "mla"));
        Assert.AreEqual(1.0, s.Ops.Single(o => o.Op.Name == "tp_allreduce_ffn").Op.LaunchCount);
        Assert.AreEqual(26.0, s.Ops.Single(o => o.Op.Name == "ep_dispatch").Op.LaunchCount);
    }

    [TestMethod]
    public void Serving_LinkTimeOfAUniformBatch_IsTheLedgers_UnderEp()
    {
        // The iteration pays each all-to-all's latency once and every sequence's bytes: the ledger's link time at
        // batch 8. (The MoE expert weights of a serving iteration are summed per sequence, not combined as the
        // ledger's expected distinct experts: a gap of the MoE serving model under TP alike, left to the MoE work.)
        var w = Moe("qwen3-30b-a3b", 2, 2, 1, 1);
        var coster = new IterationCoster(w);
        var acc = coster.NewAccumulator();
        for (int i = 0; i < 8; i++)
        {
            IterationCoster.Add(acc, coster.Decode(700));
        }
        var ledger = Roofline.Step(w with { Batch = 8, ContextTokens = 700 });
        ServingKit.Near(ledger.LinkSec, coster.Time(acc).LinkSec, 1e-12);
        Assert.IsTrue(LinkSec(ledger, "ep_dispatch") > 0);
    }

    [TestMethod]
    [DataRow(new[] { "--tp", "4", "--ep", "2" }, "qwen3-30b-a3b", "--ep: 2 must equal --tp (4)")]
    [DataRow(new[] { "--tp", "2", "--ep", "2" }, "llama-2-7b", "--ep: llama-2-7b has no routed experts to split")]
    [DataRow(new[] { "--tp", "2", "--ep", "0" }, "qwen3-30b-a3b", "--ep: 0 must be a whole number from 1 to 1024")]
    public void BadEp_ExitsTwo_OneLine(string[] plan, string model, string expected)
    {
        var (code, output, err) = Run(["ledger", "-m", model, "-H", "h100-sxm", .. plan]);
        Assert.AreEqual(2, code, err);
        StringAssert.Contains(err, expected);
        Assert.AreEqual(1, err.Trim().Split('\n').Length, err);
        Assert.AreEqual("", output);
    }

    [TestMethod]
    public void Ledger_WithEp_NamesItInTheDeployment()
    {
        var (code, output, err) = Run("ledger", "-m", "qwen3-30b-a3b", "-H", "dgx-h100", "--tp", "4", "--ep", "4", "-b", "16", "-c", "4096");
        Assert.AreEqual(0, code, err);
        StringAssert.Contains(output, "TP 4 (EP 4) x PP 1 = 4 devices");
        StringAssert.Contains(output, "ep_dispatch");
        StringAssert.Contains(output, "32 whole experts per rank");
    }
}
