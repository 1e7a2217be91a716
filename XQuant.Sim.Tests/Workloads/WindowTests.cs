using System.Text.Json;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Memory;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Schemes;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Tests.Workloads;

[TestClass]
public sealed class WindowTests
{
    /// <summary>TinyMha (d = 64, 2 layers, 4 heads x 16, d_kv = 64): layer 0 local with a window of 8, layer 1 global.</summary>
    private static readonly ModelConfig TinyLocalGlobal = TestData.TinyMha with { Id = "tiny-local-global", Window = new AttentionWindow(8, [true, false]) };

    private static OpCost Op(Workload w, string name) =>
        Ledger.Build(w).SingleOrDefault(o => o.Name == name) ?? throw new AssertFailedException($"no op {name} in {string.Join(", ", Ledger.Build(w).Select(o => o.Name))}");

    [TestMethod]
    public void TinyLocalGlobal_Fp16_HandComputedLedger()
    {
        // l = 10: the global layer reads 10 cached tokens and attends 11; the local one reads min(10, W - 1) = 7, attends 8.
        var w = TestData.Decode(TinyLocalGlobal, TestData.Round, "fp16", 1, 10);
        Assert.AreEqual(2 * 4 * 16 * 11 + 2 * 4 * 16 * 8.0, Op(w, "attn_scores").Flops);
        Assert.AreEqual(10 * 64 * 2 + 7 * 64 * 2.0, Op(w, "attn_scores").Bytes(TensorClass.KvCacheRead));
        Assert.AreEqual(10 * 64 * 2 + 7 * 64 * 2.0, Op(w, "attn_output").Bytes(TensorClass.KvCacheRead));
        Assert.AreEqual(5 * 4 * 11 + 5 * 4 * 8.0, Op(w, "softmax").Flops);
        // Projections do not depend on the window.
        Assert.AreEqual(2 * 64 * 64 * 2.0, Op(w, "k_proj").Flops);
    }

    [TestMethod]
    public void TinyLocalGlobal_XQuant_RematerializesOnlyTheWindow()
    {
        var w = TestData.Decode(TinyLocalGlobal, TestData.Round, "xquant:4", 1, 10);
        Assert.AreEqual(2 * 11 * 64 * 64 + 2 * 8 * 64 * 64.0, Op(w, "remat_k").Flops);
        Assert.AreEqual(2 * 11 * 64 * 64 + 2 * 8 * 64 * 64.0, Op(w, "remat_v").Flops);
        // X rows of 32 B (64 x 4 bits) + 4 B metadata: 10 tokens read by the global layer, 7 by the local one.
        Assert.AreEqual((10 + 7) * 32.0, Op(w, "x_dequant").Bytes(TensorClass.XCacheRead));
    }

    [TestMethod]
    public void TinyLocalGlobal_MemoryHoldsAtMostTheWindowOnLocalLayers()
    {
        var layout = LayoutCache.Get(TestData.Scheme("fp16"), TinyLocalGlobal);
        // K + V of 64 elements at 2 B = 256 B per token per layer: global 10 tokens, local min(10, 8) = 8.
        Assert.AreEqual(10 * 256 + 8 * 256.0, CacheMemory.ForSequence(layout, 10).TotalBytes);
        Assert.AreEqual(10 * 256 + 8 * 256.0, CacheMemory.TotalBytesPerSequence(layout, 10));
        Assert.AreEqual(2 * 4 * 256.0, CacheMemory.TotalBytesPerSequence(layout, 4));
    }

    [TestMethod]
    public void TinyLocalGlobal_PrefillAttentionPairs()
    {
        // L = 10, W = 8: global 10 x 11 / 2 = 55 pairs, local 8 x 9 / 2 + 2 x 8 = 52; (4 h d_h + 5 h) per pair.
        var w = TestData.Decode(TinyLocalGlobal, TestData.Round, "fp16", 1, 10) with { Phase = Phase.Prefill };
        Assert.AreEqual((4 * 4 * 16 + 5 * 4) * (55 + 52.0), Op(w, "attn_prefill").Flops);
    }

    [TestMethod]
    [DataRow("fp16")]
    [DataRow("kivi:2")]
    [DataRow("xquant:4")]
    [DataRow("xquant-gqa:4")]
    public void WindowLongerThanTheContext_CostsTheSameAsNoWindow(string scheme)
    {
        var windowed = TestData.Decode(TestData.TinyGqa with { Window = new AttentionWindow(64, [true, true]) }, TestData.Round, scheme, 2, 40);
        var plain = TestData.Decode(TestData.TinyGqa, TestData.Round, scheme, 2, 40);
        var a = Ledger.Build(windowed).ToDictionary(o => o.Name);
        var b = Ledger.Build(plain).ToDictionary(o => o.Name);
        CollectionAssert.AreEquivalent(b.Keys.ToList(), a.Keys.ToList());
        foreach (var (name, op) in b)
        {
            Assert.AreEqual(op.Flops, a[name].Flops, name);
            Assert.AreEqual(op.TotalBytes, a[name].TotalBytes, name);
        }
    }

    [TestMethod]
    public void CrossLayerSchemes_AreRefusedOnLocalLayers()
    {
        var cl = TestData.Scheme("xquant-cl:2");
        Assert.AreEqual(cl.Validate(TestData.TinyMha).Count + 1, cl.Validate(TinyLocalGlobal).Count);
        Assert.IsTrue(cl.Validate(TinyLocalGlobal).Any(p => p.Contains("sliding-window", StringComparison.Ordinal)));
        Assert.AreEqual(TestData.Scheme("xquant:4").Validate(TestData.TinyMha).Count, TestData.Scheme("xquant:4").Validate(TinyLocalGlobal).Count);
    }

    [TestMethod]
    public void Loader_ReadsMistralStyleAndLayerTypesWindows()
    {
        const string Dense = "\"hidden_size\":4096,\"num_hidden_layers\":4,\"num_attention_heads\":32,\"num_key_value_heads\":8,\"intermediate_size\":14336,\"vocab_size\":32000,\"max_position_embeddings\":32768";
        var errors = new List<InputError>();
        using var mistral = JsonDocument.Parse("{" + Dense + ",\"model_type\":\"mistral\",\"sliding_window\":4096}");
        var m = ModelConfigLoader.TryRead("config.json", "m", mistral.RootElement, errors)!;
        Assert.AreEqual(4096, m.Window!.WindowTokens);
        Assert.AreEqual(4, m.Window.LocalLayers);
        using var alternating = JsonDocument.Parse("{" + Dense + ",\"sliding_window\":128,\"layer_types\":[\"sliding_attention\",\"full_attention\",\"sliding_attention\",\"full_attention\"]}");
        var g = ModelConfigLoader.TryRead("config.json", "g", alternating.RootElement, errors)!;
        Assert.AreEqual(0, errors.Count, string.Join("\n", errors));
        CollectionAssert.AreEqual(new[] { true, false, true, false }, g.Window!.IsLocal.ToArray());
        // Capacity: a local layer's cache stops growing at the window.
        var layout = LayoutCache.Get(TestData.Scheme("fp16"), g);
        double perLayerToken = 2 * g.KvDim * 2.0;
        Assert.AreEqual(perLayerToken * (2 * 100_000 + 2 * 128), CacheMemory.TotalBytesPerSequence(layout, 100_000));
    }
}
