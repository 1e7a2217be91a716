using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Memory;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Domain.Schemes;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Studies.Serving;

namespace XQuant.Sim.Tests.MlaModels;

/// <summary>XQuant on an MLA model: cache X (d wide), recompute the latent + RoPE key every decode step.</summary>
[TestClass]
public sealed class MlaXQuantTests
{
    /// <summary>d = 64, 2 layers, 4 heads; MLA kv_lora 32, no q_lora, nope 16, rope 8, v 16: latent + rope = 40.</summary>
    private static readonly ModelConfig TinyMla = TestData.TinyMha with { Id = "tiny-mla", Mla = new MlaConfig(32, 0, 16, 8, 16) };

    /// <summary>X at 4 bits in per-token groups of 32 (two groups per 64-wide token).</summary>
    private const string X4 = "xquant:4,g=32";

    private static IReadOnlyList<OpCost> Build(Workload w) => Ledger.Build(w);

    private static OpCost Op(Workload w, string name) =>
        Build(w).SingleOrDefault(o => o.Name == name) ?? throw new AssertFailedException($"no op {name} in {string.Join(", ", Build(w).Select(o => o.Name))}");

    [TestMethod]
    public void TinyMla_Decode_HandComputedLedger()
    {
        // b = 1, l = 10 cached tokens, N = 11 attended (the new token's latent is recomputed with the rest), 2 layers.
        var w = TestData.Decode(TinyMla, TestData.Round, X4, 1, 10);
        // Recompute c = X^ W_DKV: 2 N d (kv_lora + rope) per layer = 2 x 11 x 64 x 40 x 2 layers; W_DKV read once per layer.
        Assert.AreEqual(2 * 11 * 64 * 40 * 2.0, Op(w, "remat_latent").Flops);
        Assert.AreEqual(OpKindRemat, Op(w, "remat_latent").Kind);
        Assert.AreEqual(64 * 40 * 2 * 2.0, Op(w, "remat_latent").Bytes(TensorClass.Weights));
        Assert.AreEqual(0, Op(w, "remat_latent").Bytes(TensorClass.ActivationsWritten)); // fused: the latent stays on chip
        // The latent's RMSNorm (4 FLOPs/element over kv_lora) and the key's RoPE (3 over rope) for all N tokens.
        Assert.AreEqual(4 * 11 * 32 * 2.0, Op(w, "remat_kv_a_norm").Flops);
        Assert.AreEqual(32 * 2 * 2.0, Op(w, "remat_kv_a_norm").Bytes(TensorClass.Weights));
        Assert.AreEqual(3 * 11 * 8 * 2.0, Op(w, "rope_k").Flops);
        // X cache: 10 tokens x 64 x 4 bits = 32 B + 2 groups x 4 B of FP16 scale/zero per token per layer.
        Assert.AreEqual(10 * 32 * 2.0, Op(w, "x_dequant").Bytes(TensorClass.XCacheRead));
        Assert.AreEqual(10 * 8 * 2.0, Op(w, "x_dequant").Bytes(TensorClass.Metadata));
        Assert.AreEqual(2 * 10 * 64 * 2.0, Op(w, "x_dequant").Flops);
        Assert.AreEqual(32 * 2.0, Op(w, "x_quantize").Bytes(TensorClass.XCacheWritten));
        Assert.AreEqual(5 * 64 * 2.0, Op(w, "x_quantize").Flops);
        // Absorbed attention on the recomputed latent: the same FLOPs as the native cache, no cache read.
        Assert.AreEqual(2 * 4 * 40 * 11 * 2.0, Op(w, "attn_scores").Flops);
        Assert.AreEqual(0, Op(w, "attn_scores").Bytes(TensorClass.KvCacheRead));
        Assert.AreEqual(4 * 40 * 2 * 2.0, Op(w, "attn_scores").Bytes(TensorClass.ActivationsRead)); // the absorbed query only
        Assert.AreEqual(2 * 4 * 32 * 11 * 2.0, Op(w, "attn_output").Flops);
        Assert.AreEqual(2 * 4 * 16 * 32 * 2.0, Op(w, "q_absorb").Flops);
        // The new token's latent is part of the recompute: no separate kv_a_proj, nothing appended to a latent cache.
        Assert.IsFalse(Build(w).Any(o => o.Name is "kv_a_proj" or "latent_append" or "latent_dequant" or "remat_k" or "remat_v"));
        Assert.AreEqual(0, Build(w).Sum(o => o.Bytes(TensorClass.KvCacheRead) + o.Bytes(TensorClass.KvCacheWritten)));
    }

    private const Domain.Hardware.OpKind OpKindRemat = Domain.Hardware.OpKind.Remat;

    [TestMethod]
    public void TinyMla_Unfused_LatentRoundTrips()
    {
        var w = TestData.Decode(TinyMla, TestData.Round, X4 + ",remat=unfused", 1, 10);
        double latent = 11 * 40 * 2 * 2.0; // N x (kv_lora + rope) x 2 B x 2 layers
        Assert.AreEqual(latent, Op(w, "remat_latent").Bytes(TensorClass.ActivationsWritten));
        Assert.AreEqual(4 * 40 * 2 * 2.0 + latent, Op(w, "attn_scores").Bytes(TensorClass.ActivationsRead));
        Assert.AreEqual(11 * 32 * 2 * 2.0, Op(w, "remat_kv_a_norm").Bytes(TensorClass.ActivationsRead));
    }

    [TestMethod]
    public void TinyMla_Prefill_ProjectsTheExactLatentAndWritesX()
    {
        var w = TestData.Decode(TinyMla, TestData.Round, X4, 1, 10) with { Phase = Phase.Prefill };
        Assert.AreEqual(2 * 10 * 64 * 40 * 2.0, Op(w, "kv_a_proj").Flops);
        Assert.AreEqual(10 * 32 * 2.0, Op(w, "x_quantize").Bytes(TensorClass.XCacheWritten));
        Assert.AreEqual(10 * 8 * 2.0, Op(w, "x_quantize").Bytes(TensorClass.Metadata));
        Assert.AreEqual(2 * 10 * 32 * (4 * 32) * 2.0, Op(w, "kv_b_proj").Flops);
        Assert.IsFalse(Build(w).Any(o => o.Kind == OpKindRemat));
    }

    [TestMethod]
    public void TinyMla_MemoryBreakEvenAndServing()
    {
        var s = TestData.Scheme(X4);
        // 2 layers x (32 B payload + 2 groups x 4 B).
        Assert.AreEqual(2 * (32 + 8.0), CacheMemory.PaperBytesPerToken(s.Layout(TinyMla)));
        var w = TestData.Decode(TinyMla, TestData.Round, X4, 1, 10);
        var r = BreakEven.Analyze(w, w with { Scheme = TestData.Scheme("mla:4,g=8") });
        Assert.AreEqual(2 * 64 * 40.0, r.RematFlopsPerTokenPerLayer); // 2 d (kv_lora + rope)
        Assert.AreEqual("mla:4", BreakEven.DefaultVersus(s, TinyMla));
        Assert.AreEqual("mla", BreakEven.DefaultVersus(TestData.Scheme("mla:4"), TinyMla));
        Assert.AreEqual("kivi:4", BreakEven.DefaultVersus(s, TestData.TinyMha));
        Assert.AreEqual(2 * (32 + 8.0), PoolPlan.For(w, 16, 64).BytesPerToken);
    }

    [TestMethod]
    public void DeepSeekV2Lite_XQuantBytesPerToken()
    {
        var m = TestData.Model("deepseek-v2-lite-chat");
        // 27 layers x (2048 x 4 / 8 = 1024 B + 16 groups of 128 x 4 B) = 29,376 B: 0.94x the FP16 latent (27 x 576 x 2 = 31,104).
        Assert.AreEqual(27 * (1024 + 16 * 4.0), CacheMemory.PaperBytesPerToken(TestData.Scheme("xquant:4").Layout(m)));
        Assert.AreEqual(27 * (512 + 16 * 4.0), CacheMemory.PaperBytesPerToken(TestData.Scheme("xquant:2").Layout(m)));
        Assert.IsTrue(TestData.Scheme("xquant:4").Warnings(m).Single().Contains("3.56x", StringComparison.Ordinal));
    }

    [TestMethod]
    public void UnmodelledLayouts_AreRefusedOnMla()
    {
        Assert.AreEqual(1, SchemeRegistry.ParseFor(X4, TinyMla).Count);
        foreach (string spec in new[] { X4 + ",remat=vabsorb", X4 + ",tp=tokens", "xquant-cl:2,g=32", "kivi:4", "xquant-gqa:4,g=16" })
        {
            var e = Assert.ThrowsExactly<InputException>(() => SchemeRegistry.ParseFor(spec, TinyMla), spec);
            Assert.IsTrue(e.Errors.Any(x => x.Message.Contains("MLA", StringComparison.Ordinal)), spec);
        }
    }
}
