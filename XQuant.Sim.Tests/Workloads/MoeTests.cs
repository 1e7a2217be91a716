using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Planning;

namespace XQuant.Sim.Tests.Workloads;

[TestClass]
public sealed class MoeTests
{
    /// <summary>TinyMha (d = 64, 2 layers, 4 heads x 16) with 4 routed experts of width 32, top-2, no shared, no dense layers.</summary>
    private static readonly ModelConfig TinyMoe = TestData.TinyMha with { Id = "tiny-moe", Moe = new MoeConfig(4, 2, 32, 0, 0) };

    private static OpCost Op(Workload w, string name) =>
        Ledger.Build(w).SingleOrDefault(o => o.Name == name) ?? throw new AssertFailedException($"no op {name} in {string.Join(", ", Ledger.Build(w).Select(o => o.Name))}");

    [TestMethod]
    public void TinyMoe_Top2of4_HandComputedLedger()
    {
        // b = 3 decode tokens: each picks 2 of 4 experts, so E (1 - (1 - k/E)^b) = 4 (1 - 0.5^3) = 3.5 experts touched.
        var w = TestData.Decode(TinyMoe, TestData.Round, "fp16", 3, 10);
        var ops = Ledger.Build(w);
        Assert.IsFalse(ops.Any(o => o.Name.StartsWith("ffn_gate_up", StringComparison.Ordinal) || o.Name == "ffn_down"), "a MoE layer has no dense FFN");
        Assert.AreEqual(2 * 3 * 64 * 4 * 2.0, Op(w, "moe_router").Flops);                     // 2 b d E, 2 layers
        Assert.AreEqual(64 * 4 * 2 * 2.0, Op(w, "moe_router").Bytes(TensorClass.Weights));      // d x E x 2 B, 2 layers
        Assert.AreEqual(2 * (3 * 2) * 64 * (2 * 32) * 2.0, Op(w, "expert_gate_up").Flops);      // 2 (b k) d 2f: active experts only
        Assert.AreEqual(2 * (3 * 2) * 32 * 64 * 2.0, Op(w, "expert_down").Flops);
        Assert.AreEqual(3.5 * 64 * 64 * 2 * 2.0, Op(w, "expert_gate_up").Bytes(TensorClass.Weights)); // 3.5 experts x d x 2f x 2 B
        Assert.AreEqual(3.5 * 32 * 64 * 2 * 2.0, Op(w, "expert_down").Bytes(TensorClass.Weights));
        Assert.AreEqual(3 * 2 * 64 * 2 * 2.0, Op(w, "expert_gate_up").Bytes(TensorClass.ActivationsRead)); // each token to each of its k experts
        // Attention is the dense model's.
        var dense = TestData.Decode(TestData.TinyMha, TestData.Round, "fp16", 3, 10);
        Assert.AreEqual(Op(dense, "attn_scores").Flops, Op(w, "attn_scores").Flops);
        Assert.AreEqual(Op(dense, "q_proj").Bytes(TensorClass.Weights), Op(w, "q_proj").Bytes(TensorClass.Weights));
    }

    [TestMethod]
    public void TinyMoe_OneToken_TouchesExactlyK()
    {
        var w = TestData.Decode(TinyMoe, TestData.Round, "fp16", 1, 10);
        Assert.AreEqual(2 * 64 * 64 * 2 * 2.0, Op(w, "expert_gate_up").Bytes(TensorClass.Weights), 1e-9);
    }

    [TestMethod]
    public void TinyMoe_CapacityHoldsEveryExpert()
    {
        // Layer: attention 4 x 64 x 64 = 16384, norms 128, 4 experts x 3 x 64 x 32 = 24576, router 64 x 4 = 256.
        double layer = 16384 + 128 + 24576 + 256;
        Assert.AreEqual(2 * layer + 64 * 100 * 2 + 64, TinyMoe.TotalParams);
        var w = TestData.Decode(TinyMoe, TestData.Round, "fp16", 1, 10);
        Assert.AreEqual(TinyMoe.TotalParams * 2, Capacity.WeightBytes(w));
    }

    [TestMethod]
    public void FirstDenseLayers_AndSharedExperts_AreCostedPerLayer()
    {
        // DeepSeek-style: layer 0 dense (FFN 128), layer 1 MoE with one shared expert of width 32.
        var m = TestData.TinyMha with { Moe = new MoeConfig(4, 2, 32, 1, 1) };
        var w = TestData.Decode(m, TestData.Round, "fp16", 1, 10);
        Assert.AreEqual(2 * 64 * 256.0, Op(w, "ffn_gate_up").Flops);                             // one dense layer
        Assert.AreEqual(2 * 64 * 64.0, Op(w, "shared_gate_up").Flops);                           // one MoE layer, 1 x 2f
        Assert.AreEqual(2 * 2 * 64 * 64.0, Op(w, "expert_gate_up").Flops);                       // one MoE layer, k = 2
        double dense = 16384 + 128 + 3 * 64 * 128;
        double moe = 16384 + 128 + (4 + 1) * 3 * 64 * 32 + 64 * 4;
        Assert.AreEqual(dense + moe + 64 * 100 * 2 + 64, m.TotalParams);
    }

    [TestMethod]
    [DataRow(8, 2, 1)]
    [DataRow(8, 2, 5)]
    [DataRow(64, 6, 16)]
    [DataRow(128, 8, 64)]
    public void ExpectedDistinctExperts_MatchesSeededMonteCarlo(int experts, int k, int tokens)
    {
        var moe = new MoeConfig(experts, k, 1, 0, 0);
        var rng = new Random(16);
        const int Trials = 20_000;
        double sum = 0;
        var hit = new bool[experts];
        var pool = Enumerable.Range(0, experts).ToArray();
        for (int t = 0; t < Trials; t++)
        {
            Array.Clear(hit);
            for (int i = 0; i < tokens; i++)
            {
                // k distinct experts per token, uniformly: a partial Fisher-Yates shuffle.
                for (int j = 0; j < k; j++)
                {
                    int r = j + rng.Next(experts - j);
                    (pool[j], pool[r]) = (pool[r], pool[j]);
                    hit[pool[j]] = true;
                }
            }
            sum += hit.Count(h => h);
        }
        double expected = moe.ExpectedDistinctExperts(tokens);
        Assert.AreEqual(expected, sum / Trials, 0.02 * Math.Max(1, Math.Sqrt(experts)), $"E={experts} k={k} tokens={tokens}");
    }

    [TestMethod]
    public void DenseModel_StreamedLayerParams_IsLayerParams()
    {
        var m = TestData.Model("llama-3.1-8b");
        Assert.IsNull(m.Moe);
        Assert.AreEqual(m.LayerParams, MoeConfig.StreamedLayerParams(m, 7));
    }

    [TestMethod]
    public void Prefill_ManyTokens_TouchesEveryExpert()
    {
        var w = TestData.Decode(TinyMoe, TestData.Round, "fp16", 1, 512) with { Phase = Phase.Prefill };
        Assert.AreEqual(4 * 64 * 64 * 2 * 2.0, Op(w, "expert_gate_up").Bytes(TensorClass.Weights), 1e-6);
        Assert.AreEqual(OpKind.Gemm, Op(w, "expert_gate_up").Kind);
    }
}
