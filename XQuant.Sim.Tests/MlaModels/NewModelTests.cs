using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Memory;
using XQuant.Sim.Domain.Models;

namespace XQuant.Sim.Tests.MlaModels;

/// <summary>deepseek-v3, gpt-oss-20b/120b and gemma-2-9b as shipped: cache bytes, published parameter counts, extras.</summary>
[TestClass]
public sealed class NewModelTests
{
    private static double Fp16BytesPerToken(ModelConfig m) =>
        CacheMemory.PaperBytesPerToken(TestData.Scheme(m.Mla is null ? "fp16" : "mla").Layout(m));

    [TestMethod]
    public void DeepSeekV3_LatentBytes_Params_MtpNotCounted()
    {
        var m = TestData.Model("deepseek-v3");
        // 61 layers x (kv_lora 512 + rope 64) x 2 B.
        Assert.AreEqual(61 * (512 + 64) * 2.0, Fp16BytesPerToken(m));
        Assert.AreEqual(new MoeConfig(256, 8, 2048, 1, 3), m.Moe);
        Assert.AreEqual(new MlaConfig(512, 1536, 128, 64, 128), m.Mla);
        Assert.AreEqual(1, m.Extras!.NextTokenPredictionLayers);
        // Attention: q_a 7168 x 1536 + its norm 1536 + q_b 1536 x 128 x 192 + kv_a 7168 x 576 + its norm 512
        //   + kv_b 512 x 128 x 256 + o 128 x 128 x 7168 = 187,107,328. Norms 2 x 7168.
        // Dense layers (3): + 3 x 7168 x 18432 = 583,483,392 each. MoE layers (58): + 257 experts x 3 x 7168 x 2048
        //   + router 256 x 7168 = 11,507,286,016 each. Embedding and LM head 2 x 129280 x 7168, final norm 7168.
        double attn = 7168.0 * 1536 + 1536 + 1536.0 * 128 * 192 + 7168.0 * 576 + 512 + 512.0 * 128 * 256 + 128.0 * 128 * 7168;
        Assert.AreEqual(187_107_328.0, attn);
        double total = 3 * (attn + 2 * 7168 + 3.0 * 7168 * 18432) + 58 * (attn + 2 * 7168 + 257 * 3.0 * 7168 * 2048 + 256.0 * 7168)
            + 2 * 129280.0 * 7168 + 7168;
        Assert.AreEqual(671_026_404_352.0, total);
        Assert.AreEqual(total, m.TotalParams);
        // The card's 671B (main model); the MTP module's 11.5B (README_WEIGHTS) is left out: it only drafts tokens.
        Assert.AreEqual(671, Math.Round(m.TotalParams / 1e9));
        Assert.AreEqual(m.TotalParams, (m with { Extras = null }).TotalParams);
    }

    [TestMethod]
    public void GptOss20b_Params_Window_Moe()
    {
        var m = TestData.Model("gpt-oss-20b");
        // 24 layers x K + V (2 x 8 heads x 64) x 2 B; the 12 local layers hold at most 128 tokens of it.
        Assert.AreEqual(24 * 2 * 512 * 2.0, Fp16BytesPerToken(m));
        Assert.AreEqual(new MoeConfig(32, 4, 2880, 0, 0), m.Moe);
        Assert.AreEqual(128, m.Window!.WindowTokens);
        Assert.AreEqual(12, m.Window.LocalLayers);
        Assert.IsTrue(m.Window.IsLocal[0] && !m.Window.IsLocal[1]);
        // The checkpoint's tensors: per layer q, k, v, o weights and biases (4096, 512, 512, 2880), 64 sinks, two norms,
        // 32 experts x (2880 x 5760 + 5760 + 2880 x 2880 + 2880), router 32 x 2880 + 32; embedding, LM head, final norm.
        double layer = 2880.0 * 4096 * 2 + 2880.0 * 512 * 2 + 4096 + 512 + 512 + 2880 + 64 + 2 * 2880
            + 32 * (2880.0 * 5760 + 5760 + 2880.0 * 2880 + 2880) + 32 * 2880 + 32;
        Assert.AreEqual(823_186_976.0, layer);
        Assert.AreEqual(20_914_757_184.0, 24 * layer + 2 * 201088.0 * 2880 + 2880);
        Assert.AreEqual(20_914_757_184.0, m.TotalParams);
    }

    [TestMethod]
    public void GptOss120b_Params()
    {
        var m = TestData.Model("gpt-oss-120b");
        Assert.AreEqual(36 * 2 * 512 * 2.0, Fp16BytesPerToken(m));
        Assert.AreEqual(new MoeConfig(128, 4, 2880, 0, 0), m.Moe);
        // As gpt-oss-20b with 36 layers of 128 experts: the card's 116.8B.
        double layer = 2880.0 * 4096 * 2 + 2880.0 * 512 * 2 + 4096 + 512 + 512 + 2880 + 64 + 2 * 2880
            + 128 * (2880.0 * 5760 + 5760 + 2880.0 * 2880 + 2880) + 128 * 2880 + 128;
        Assert.AreEqual(36 * layer + 2 * 201088.0 * 2880 + 2880, m.TotalParams);
        Assert.AreEqual(116_829_156_672.0, m.TotalParams);
    }

    [TestMethod]
    public void Gemma2_9b_TiedEmbeddings_FourNorms_AlternatingWindow()
    {
        var m = TestData.Model("gemma-2-9b");
        // 42 layers x K + V (2 x 8 heads x 256) x 2 B.
        Assert.AreEqual(42 * 2 * 2048 * 2.0, Fp16BytesPerToken(m));
        Assert.IsTrue(m.TieWordEmbeddings, "gemma2's config class ties embeddings; its config.json does not say");
        Assert.AreEqual(4096, m.Window!.WindowTokens);
        Assert.AreEqual(21, m.Window.LocalLayers);
        Assert.IsTrue(m.Window.IsLocal[0] && !m.Window.IsLocal[1]);
        Assert.AreEqual(50.0, m.Extras!.AttentionLogitSoftcap);
        Assert.AreEqual(30.0, m.Extras.FinalLogitSoftcap);
        // Per layer: q, o 3584 x 4096, k, v 3584 x 2048, GeGLU 3 x 3584 x 14336, four norms; tied embedding; final norm.
        double layer = 2 * 3584.0 * 4096 + 2 * 3584.0 * 2048 + 3 * 3584.0 * 14336 + 4 * 3584;
        Assert.AreEqual(9_241_705_984.0, 42 * layer + 256000.0 * 3584 + 3584);
        Assert.AreEqual(9_241_705_984.0, m.TotalParams);
    }

    /// <summary>TinyMha with Gemma-2's extras and one local layer (window 32) of two.</summary>
    private static readonly ModelConfig TinyGemmaLike = TestData.TinyMha with
    {
        Id = "tiny-gemma",
        Window = new AttentionWindow(32, [true, false]),
        Extras = new ArchitectureExtras { ExtraNormsPerLayer = 2, AttentionLogitSoftcap = 50, FinalLogitSoftcap = 30 },
    };

    private static OpCost Op(Workload w, string name) => Ledger.Build(w).Single(o => o.Name == name);

    [TestMethod]
    public void Extras_HandComputedLedger()
    {
        var w = TestData.Decode(TinyGemmaLike, TestData.Round, "fp16", 1, 100);
        // Scores per head: the global layer attends 101 keys, the local one min(100, 31) + 1 = 32: 3 FLOPs each, 4 heads.
        Assert.AreEqual(3 * 4 * (101 + 32.0), Op(w, "attn_softcap").Flops);
        Assert.AreEqual(0, Op(w, "attn_softcap").TotalBytes);
        // Two more RMSNorms per layer: 4 FLOPs x 64 elements x 2 norms x 2 layers; 2 x 64 BF16 weights per layer.
        Assert.AreEqual(4 * 64 * 2 * 2.0, Op(w, "post_norms").Flops);
        Assert.AreEqual(2 * 64 * 2 * 2.0, Op(w, "post_norms").Bytes(TensorClass.Weights));
        Assert.AreEqual(3 * 100.0, Op(w, "logit_softcap").Flops); // 3 x vocab for the one sampled token
        // Prefill of 40: 40 x 41 / 2 = 820 pairs globally, 32 x 33 / 2 + 8 x 32 = 784 locally.
        var p = w with { Phase = Phase.Prefill, ContextTokens = 40 };
        Assert.AreEqual(3 * 4 * (820 + 784.0), Op(p, "attn_softcap").Flops);
        Assert.AreEqual(4 * 40 * 64 * 2 * 2.0, Op(p, "post_norms").Flops);
    }

    [TestMethod]
    public void Sinks_OneLogitPerHead_AndDenseModelsHaveNoExtras()
    {
        var sinks = TestData.TinyMha with { Extras = new ArchitectureExtras { AttentionSinks = true } };
        var w = TestData.Decode(sinks, TestData.Round, "fp16", 3, 10);
        Assert.AreEqual(5 * 3 * 4 * 2.0, Op(w, "attn_sinks").Flops);              // 5 FLOPs x batch 3 x 4 heads x 2 layers
        Assert.AreEqual(4 * 2 * 2.0, Op(w, "attn_sinks").Bytes(TensorClass.Weights)); // 4 heads x 2 B x 2 layers
        Assert.AreEqual(TestData.TinyMha.LayerParams + 4, sinks.LayerParams);
        var llama = TestData.Model("llama-3.1-8b");
        Assert.IsNull(llama.Extras);
        Assert.IsFalse(Ledger.Build(TestData.Decode(llama, TestData.Round, "fp16", 1, 10))
            .Any(o => o.Name is "post_norms" or "attn_softcap" or "attn_sinks" or "logit_softcap"));
    }
}
