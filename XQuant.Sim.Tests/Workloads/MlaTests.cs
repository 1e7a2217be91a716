using System.Text.Json;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Memory;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Schemes;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Tests.Workloads;

[TestClass]
public sealed class MlaTests
{
    /// <summary>TinyMha's d = 64, 2 layers, 4 heads, with MLA: kv_lora 32, no q_lora, nope 16, rope 8, v 16 (latent 40).</summary>
    private static readonly ModelConfig TinyMla = TestData.TinyMha with { Id = "tiny-mla", Mla = new MlaConfig(32, 0, 16, 8, 16) };

    /// <summary>DeepSeek-V2-Lite's published shape (config.json fields), as a fixture.</summary>
    private const string DeepSeekV2Lite =
        "{\"model_type\":\"deepseek_v2\",\"architectures\":[\"DeepseekV2ForCausalLM\"],\"hidden_size\":2048,\"num_hidden_layers\":27," +
        "\"num_attention_heads\":16,\"num_key_value_heads\":16,\"intermediate_size\":10944,\"vocab_size\":102400," +
        "\"max_position_embeddings\":163840,\"kv_lora_rank\":512,\"q_lora_rank\":null,\"qk_nope_head_dim\":128," +
        "\"qk_rope_head_dim\":64,\"v_head_dim\":128,\"n_routed_experts\":64,\"num_experts_per_tok\":6," +
        "\"moe_intermediate_size\":1408,\"n_shared_experts\":2,\"first_k_dense_replace\":1,\"moe_layer_freq\":1,\"tie_word_embeddings\":false}";

    private static OpCost Op(Workload w, string name) =>
        Ledger.Build(w).SingleOrDefault(o => o.Name == name) ?? throw new AssertFailedException($"no op {name} in {string.Join(", ", Ledger.Build(w).Select(o => o.Name))}");

    private static ModelConfig Load(string json)
    {
        var errors = new List<InputError>();
        using var doc = JsonDocument.Parse(json);
        var m = ModelConfigLoader.TryRead("config.json", "deepseek-v2-lite", doc.RootElement, errors);
        Assert.AreEqual(0, errors.Count, string.Join("\n", errors));
        return m!;
    }

    [TestMethod]
    public void DeepSeekV2Lite_Fp16LatentBytesPerToken()
    {
        var m = Load(DeepSeekV2Lite);
        Assert.AreEqual(new MlaConfig(512, 0, 128, 64, 128), m.Mla);
        Assert.AreEqual("MLA", m.AttentionKind);
        Assert.AreEqual(27 * (512 + 64) * 2.0, CacheMemory.PaperBytesPerToken(TestData.Scheme("mla").Layout(m)));
        // 4 bits in per-token groups of 64: 576 x 4 / 8 = 288 B + 9 groups x 4 B of FP16 scale and zero.
        Assert.AreEqual(27 * (288 + 9 * 4.0), CacheMemory.PaperBytesPerToken(TestData.Scheme("mla:4").Layout(m)));
        // The model card's 15.7B parameters.
        Assert.AreEqual(15.7e9, m.TotalParams, 0.05e9);
    }

    [TestMethod]
    public void TinyMla_AbsorbedDecode_HandComputedLedger()
    {
        // b = 1, l = 10, N = 11, 2 layers, h = 4.
        var w = TestData.Decode(TinyMla, TestData.Round, "mla", 1, 10);
        Assert.AreEqual(2 * 4 * 40 * 11 * 2.0, Op(w, "attn_scores").Flops);                   // 2 h (kv_lora + rope) N
        Assert.AreEqual(10 * 40 * 2 * 2.0, Op(w, "attn_scores").Bytes(TensorClass.KvCacheRead)); // the latent, once for all heads
        Assert.AreEqual(2 * 4 * 32 * 11 * 2.0, Op(w, "attn_output").Flops);                   // 2 h kv_lora N
        Assert.AreEqual(0, Op(w, "attn_output").Bytes(TensorClass.KvCacheRead));
        Assert.AreEqual(2 * 4 * 16 * 32 * 2.0, Op(w, "q_absorb").Flops);                      // 2 h nope kv_lora
        Assert.AreEqual(4 * 16 * 32 * 2 * 2.0, Op(w, "q_absorb").Bytes(TensorClass.Weights));
        Assert.AreEqual(2 * 4 * 32 * 16 * 2.0, Op(w, "v_up").Flops);
        Assert.AreEqual(2 * 64 * (4 * 24) * 2.0, Op(w, "q_proj").Flops);                      // d x h (nope + rope)
        Assert.AreEqual(2 * (4 * 16) * 64 * 2.0, Op(w, "o_proj").Flops);                      // h v x d
        Assert.AreEqual(2 * 64 * 40 * 2.0, Op(w, "kv_a_proj").Flops);
        Assert.AreEqual(40 * 2 * 2.0, Op(w, "latent_append").Bytes(TensorClass.KvCacheWritten));
        Assert.IsFalse(Ledger.Build(w).Any(o => o.Name is "k_proj" or "v_proj"));
        // Attention weights: d h qk + d (kv_lora + rope) + kv_lora (norm) + kv_lora h (nope + v) + h v d; FFN 3 d f; norms.
        double layer = 64 * 96 + 64 * 40 + 32 + 32 * 4 * 32 + 4 * 16 * 64 + 3 * 64 * 128 + 2 * 64;
        Assert.AreEqual(layer, TinyMla.LayerParams);
    }

    [TestMethod]
    public void TinyMla_QuantizedLatent_ReadsPayloadAndMetadata()
    {
        var w = TestData.Decode(TinyMla, TestData.Round, "mla:4,g=8", 1, 10);
        // 40 x 4 bits = 20 B + 5 groups x 4 B per token per layer.
        Assert.AreEqual(10 * 20 * 2.0, Op(w, "latent_dequant").Bytes(TensorClass.KvCacheRead));
        Assert.AreEqual(10 * 20 * 2.0, Op(w, "latent_dequant").Bytes(TensorClass.Metadata));
        Assert.AreEqual(0, Op(w, "attn_scores").Bytes(TensorClass.KvCacheRead));
    }

    [TestMethod]
    public void TinyMla_Prefill_MaterializesKv()
    {
        var w = TestData.Decode(TinyMla, TestData.Round, "mla", 1, 10) with { Phase = Phase.Prefill };
        Assert.AreEqual(2 * 10 * 32 * (4 * 32) * 2.0, Op(w, "kv_b_proj").Flops);               // kv_lora x h (nope + v)
        Assert.AreEqual((2 * 4 * (24 + 16) + 5 * 4) * 55 * 2.0, Op(w, "attn_prefill").Flops);
    }

    [TestMethod]
    public void KvSchemes_AreRefusedOnMla_AndMlaOnOthers()
    {
        Assert.ThrowsExactly<InputException>(() => SchemeRegistry.ParseFor("fp16", TinyMla));
        Assert.ThrowsExactly<InputException>(() => SchemeRegistry.ParseFor("mla", TestData.TinyMha));
        Assert.AreEqual(1, SchemeRegistry.ParseFor("mla", TinyMla).Count);
    }
}
