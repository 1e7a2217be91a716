using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Tests.CostModel;

[TestClass]
public sealed class LedgerTests
{
    private static OpCost Op(Workload w, string name) =>
        Ledger.Build(w).SingleOrDefault(o => o.Name == name) ?? throw new AssertFailedException($"no op {name} in {string.Join(", ", Ledger.Build(w).Select(o => o.Name))}");

    private static bool Has(Workload w, string name) => Ledger.Build(w).Any(o => o.Name == name);

    [TestMethod]
    public void TinyMha_Fp16_HandComputedLedger()
    {
        // b = 1, l = 10 cached tokens, N = 11 attended; d = 64, 2 layers, 4 heads x 16, FFN 128, vocab 100.
        var w = TestData.Decode(TestData.TinyMha, TestData.Round, "fp16", 1, 10);
        Assert.AreEqual(2 * 64 * 64 * 2.0, Op(w, "q_proj").Flops);                          // 2 b d q_dim, 2 layers
        Assert.AreEqual(64 * 64 * 2 * 2.0, Op(w, "q_proj").Bytes(TensorClass.Weights));       // d x q_dim x 2 B, 2 layers
        Assert.AreEqual(2 * 2 * 64 * 128 * 2.0, Op(w, "ffn_gate_up").Flops);
        Assert.AreEqual(2 * 128 * 64 * 2.0, Op(w, "ffn_down").Flops);
        Assert.AreEqual(2 * 64 * 100.0, Op(w, "lm_head").Flops);
        Assert.AreEqual(2 * 4 * 16 * 11 * 2.0, Op(w, "attn_scores").Flops);                  // 2 b h d_h N, 2 layers
        Assert.AreEqual(10 * 64 * 2 * 2.0, Op(w, "attn_scores").Bytes(TensorClass.KvCacheRead)); // l x d_kv x 2 B, 2 layers
        Assert.AreEqual(10 * 64 * 2 * 2.0, Op(w, "attn_output").Bytes(TensorClass.KvCacheRead));
        Assert.AreEqual(2 * 64 * 2 * 2.0, Op(w, "kv_append").Bytes(TensorClass.KvCacheWritten)); // K and V of one token
        Assert.IsFalse(Has(w, "remat_k"));
    }

    [TestMethod]
    [DataRow("fp16", false, "fp16_kv")]
    [DataRow("fp16", true, "fp16_kv_gqa")]
    [DataRow("kivi:2", false, null)]
    [DataRow("kivi:2", true, "gqa")]
    [DataRow("xquant:4", true, "gqa")]
    [DataRow("xquant-gqa:4", true, "gqa")]
    public void AttentionGemvs_CarryTheirImplementationVariant(string scheme, bool gqa, string? variant)
    {
        var w = TestData.Decode(gqa ? TestData.TinyGqa : TestData.TinyMha, TestData.Round, scheme, 1, 10);
        Assert.AreEqual(variant, Op(w, "attn_scores").Variant);
        Assert.AreEqual(variant, Op(w, "attn_output").Variant);
        Assert.IsNull(Op(w, "softmax").Variant);
        // A variant only picks a calibrated rate: FLOPs and bytes are the class's.
        Assert.AreEqual(2 * 4 * 16 * 11 * 2.0, Op(w, "attn_scores").Flops);
    }

    [TestMethod]
    public void TinyMha_XQuant4_HandComputedLedger()
    {
        var w = TestData.Decode(TestData.TinyMha, TestData.Round, "xquant:4", 1, 10);
        // remat: 2 N d d_kv per layer for K and for V; weights Wk, Wv read once each.
        Assert.AreEqual(2 * 11 * 64 * 64 * 2.0, Op(w, "remat_k").Flops);
        Assert.AreEqual(2 * 11 * 64 * 64 * 2.0, Op(w, "remat_v").Flops);
        Assert.AreEqual(64 * 64 * 2 * 2.0, Op(w, "remat_k").Bytes(TensorClass.Weights));
        Assert.AreEqual(OpKind.Remat, Op(w, "remat_k").Kind);
        // X rows: 64 x 4 bits = 32 B packed + one FP16 scale and zero (4 B) per group of 128 (one group).
        Assert.AreEqual(10 * 32 * 2.0, Op(w, "x_dequant").Bytes(TensorClass.XCacheRead));
        Assert.AreEqual(10 * 4 * 2.0, Op(w, "x_dequant").Bytes(TensorClass.Metadata));
        Assert.AreEqual(2 * 10 * 64 * 2.0, Op(w, "x_dequant").Flops);
        Assert.AreEqual(32 * 2.0, Op(w, "x_quantize").Bytes(TensorClass.XCacheWritten));
        // Fused: K/V never reach DRAM, attention reads nothing from the cache.
        Assert.AreEqual(0, Op(w, "attn_scores").Bytes(TensorClass.KvCacheRead));
        Assert.AreEqual(64 * 2 * 2.0, Op(w, "attn_scores").Bytes(TensorClass.ActivationsRead)); // only q
        Assert.IsFalse(Has(w, "k_proj"));
        Assert.IsFalse(Has(w, "v_proj"));
    }

    [TestMethod]
    public void Unfused_RoundTripsKAndVThroughMemory()
    {
        var w = TestData.Decode(TestData.TinyMha, TestData.Round, "xquant:4,remat=unfused", 1, 10);
        double kv = 11 * 64 * 2.0 * 2; // N x d_kv x 2 B, 2 layers
        Assert.AreEqual(kv, Op(w, "remat_k").Bytes(TensorClass.ActivationsWritten));
        Assert.AreEqual(kv, Op(w, "remat_v").Bytes(TensorClass.ActivationsWritten));
        Assert.AreEqual(kv + 1 * 64 * 2 * 2.0, Op(w, "attn_scores").Bytes(TensorClass.ActivationsRead));
    }

    [TestMethod]
    public void VAbsorbed_RematerializesOnlyK()
    {
        var w = TestData.Decode(TestData.TinyMha, TestData.Round, "xquant:4,remat=vabsorb", 1, 10);
        Assert.IsTrue(Has(w, "remat_k"));
        Assert.IsFalse(Has(w, "remat_v"));
        Assert.IsFalse(Has(w, "attn_output"));
        Assert.AreEqual(2 * 4 * 11 * 64 * 2.0, Op(w, "attn_px").Flops);          // 2 b h N d: p X^ per query head
        Assert.AreEqual(2 * 4 * 64 * 16 * 2.0, Op(w, "v_absorb").Flops);         // 2 b h d d_h
    }

    [TestMethod]
    public void TinyGqa_Latents_HandComputedLedger()
    {
        var w = TestData.Decode(TestData.TinyGqa, TestData.Round, "xquant-gqa:4", 1, 10);
        // d_kv = 16: remat through 16 x 16 fused S B^T matrices.
        Assert.AreEqual(2 * 11 * 16 * 16 * 2.0, Op(w, "remat_k").Flops);
        Assert.AreEqual(16 * 16 * 2 * 2.0, Op(w, "remat_k").Bytes(TensorClass.Weights));
        // New token projected on Uk and Uv: 2 b d 2 d_kv.
        Assert.AreEqual(2 * 64 * 32 * 2.0, Op(w, "latent_proj").Flops);
    }

    [TestMethod]
    public void ClGqa_DeltaLayers_Cost8LdkvdFlops()
    {
        var m = TestData.TinyGqa with { Layers = 4 };
        var w = TestData.Decode(m, TestData.Round, "xquant-cl-gqa:2,base=1@4", 1, 1000);
        // 3 delta layers: up-projection 2 l 2d_kv d plus remat 2 N d 2d_kv: 8 l d_kv d as the paper counts (N = l + 1).
        double up = Op(w, "up_project").Flops;
        Assert.AreEqual(3 * 2 * 1000 * 32 * 64.0, up);
        double rematDelta = 3 * 2 * 1001 * 64 * 16 * 2.0;
        double rematBase = 1 * 2 * 1001 * 32 * 16 * 2.0;
        Assert.AreEqual(rematDelta + rematBase, Op(w, "remat_k").Flops + Op(w, "remat_v").Flops);
    }

    [TestMethod]
    public void XQuantCl_AccumulatorTraffic_IsChargedOnDeltaLayers()
    {
        var m = TestData.TinyMha with { Layers = 5 };
        var w = TestData.Decode(m, TestData.Round, "xquant-cl:2,base=2@4,acc=16", 1, 10);
        // 3 delta layers read and write the FP16 accumulator over 10 tokens x 64.
        Assert.AreEqual(3 * 10 * 64 * 2.0, Op(w, "accumulate").Bytes(TensorClass.AccumulatorRead));
        Assert.AreEqual(3 * 10 * 64 * 2.0, Op(w, "accumulate").Bytes(TensorClass.AccumulatorWritten));
        Assert.AreEqual(10 * 64 * 2.0, Op(w, "acc_init").Bytes(TensorClass.AccumulatorWritten));
        Assert.AreEqual(2 * 2 * 10 * 64 * 2.0 / 2, Op(w, "x_dequant").Flops);  // 2 base layers
        Assert.AreEqual(3 * 2 * 10 * 64.0, Op(w, "delta_dequant").Flops);
    }

    [TestMethod]
    [DataRow(1, 1024)]
    [DataRow(8, 4096)]
    [DataRow(3, 100_000)]
    public void MhaXQuantRematFlops_Are_2x2xNxDxDkv_PerLayer(int batch, int context)
    {
        var m = TestData.Model("llama-2-7b");
        var step = Roofline.Step(TestData.Decode(m, TestData.Hardware("h100-sxm"), "xquant:4", batch, context));
        Assert.AreEqual(2.0 * 2 * (context + 1) * 4096 * 4096 * 32 * batch, step.FlopsOf(OpKind.Remat), 1);
    }

    [TestMethod]
    [DataRow("h100-sxm", 4096)]
    [DataRow("h200", 32768)]
    [DataRow("a100-sxm-80gb", 1024)]
    public void Fp16Kv_Batch1_IsWeightsPlusKvOverBandwidth(string hw, int context)
    {
        var m = TestData.Model("llama-2-7b");
        var profile = TestData.Hardware(hw);
        var step = Roofline.Step(TestData.Decode(m, profile, "fp16", 1, context));
        // A decode step streams every weight once except the embedding table, of which it reads one row.
        double weights = (m.TotalParams - m.EmbeddingParams + m.HiddenSize) * 2;
        double expected = (weights + 2.0 * 32 * context * 4096 * 2) / profile.DramBandwidthBytesPerSec;
        Assert.AreEqual(expected, step.OverlappedSec, expected * 0.01);
        Assert.AreEqual(Bound.Memory, step.Bound);
    }

    [TestMethod]
    public void StepTimes_SerialIsNeverBelowOverlapped()
    {
        var m = TestData.Model("llama-3.1-8b");
        foreach (string s in new[] { "fp16", "kivi:2", "xquant:4", "xquant-cl:2", "xquant-gqa:2", "xquant-cl-gqa:2", "xquant-gqa:2,remat=unfused", "xquant-gqa:2,remat=vabsorb" })
        {
            var step = Roofline.Step(TestData.Decode(m, TestData.Hardware("h100-sxm"), s, 4, 8192));
            Assert.IsTrue(step.SerialSec >= step.OverlappedSec * (1 - 1e-12), s);
            Assert.IsTrue(step.OverlappedSec > 0, s);
        }
    }

    [TestMethod]
    public void OnChipRule_RngdHoldsUnfusedKvThatH100L2CannotHold()
    {
        // Llama-3.1-8B, l = 32768: one layer's K is 32769 x 1024 x 2 B = 67 MB: above the H100's 50 MB L2,
        // below the RNGD's 256 MB SRAM. Only the RNGD keeps the unfused K/V round trip on chip.
        var m = TestData.Model("llama-3.1-8b");
        var h100 = Ledger.Build(TestData.Decode(m, TestData.Hardware("h100-sxm"), "xquant-gqa:2,remat=unfused", 1, 32768)).Single(o => o.Name == "remat_k");
        var rngd = Ledger.Build(TestData.Decode(m, TestData.Hardware("rngd"), "xquant-gqa:2,remat=unfused", 1, 32768)).Single(o => o.Name == "remat_k");
        double kPerLayer = 32769 * 1024 * 2.0;
        Assert.AreEqual(32 * (kPerLayer + 1024 * 1024 * 2.0), h100.DramBytes, 1);   // K written + weights
        Assert.AreEqual(32 * kPerLayer, rngd.OnChipBytes, 1);
        Assert.AreEqual(32 * 1024 * 1024 * 2.0, rngd.DramBytes, 1);
        // At 4K tokens (8 MB per layer) both keep it on chip.
        var h100Small = Ledger.Build(TestData.Decode(m, TestData.Hardware("h100-sxm"), "xquant-gqa:2,remat=unfused", 1, 4096)).Single(o => o.Name == "remat_k");
        Assert.AreEqual(32 * 4097 * 1024 * 2.0, h100Small.OnChipBytes, 1);
    }

    [TestMethod]
    public void MissingDType_FallsBackVisibly()
    {
        // Warboy computes INT8 only: BF16 GEMMs are timed at its INT8 peak, and the result says so.
        var step = Roofline.Step(TestData.Decode(TestData.Model("llama-2-7b"), TestData.Hardware("warboy"), "xquant:4", 1, 1024));
        Assert.IsTrue(step.Ops.All(o => o.Op.DType == DType.Int8));
        Assert.IsTrue(step.Notes.Any(n => n.Contains("no bf16 rate", StringComparison.Ordinal)), string.Join("; ", step.Notes));
    }

    [TestMethod]
    public void WeightPrecision_ScalesWeightBytes()
    {
        var m = TestData.Model("llama-2-7b");
        var hw = TestData.Hardware("h100-sxm");
        double bf16 = Roofline.Step(TestData.Decode(m, hw, "fp16", 1, 1)).Bytes(TensorClass.Weights);
        double int4 = Roofline.Step(new Workload(m, hw, TestData.Scheme("fp16"), WeightPrecision.Int4, 1, 1)).Bytes(TensorClass.Weights);
        // Norm weights stay BF16 (2 d per layer + d): everything else scales by 4.125 / 16.
        double norms = (2.0 * 4096 * 32 + 4096) * 2;
        Assert.AreEqual((bf16 - norms) * (4.125 / 16), int4 - norms, 1);
    }

    [TestMethod]
    public void Prefill_HasNoRematAndWritesTheWholePrompt()
    {
        var w = TestData.Decode(TestData.TinyMha, TestData.Round, "xquant:4", 2, 100) with { Phase = Phase.Prefill };
        var ops = Ledger.Build(w);
        Assert.IsFalse(ops.Any(o => o.Kind == OpKind.Remat));
        var write = ops.Single(o => o.Name == "x_quantize");
        Assert.AreEqual(2 * 2 * 100 * 32.0, write.Bytes(TensorClass.XCacheWritten)); // layers x batch x tokens x 32 B
        Assert.AreEqual(2 * 2 * 64 * 2 * 100 * 64.0 * 3, ops.Where(o => o.Name is "q_proj" or "k_proj" or "v_proj").Sum(o => o.Flops));
    }
}
