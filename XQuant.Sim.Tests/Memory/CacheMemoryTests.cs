using XQuant.Sim.Domain.Memory;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Tests.Memory;

[TestClass]
public sealed class CacheMemoryTests
{
    private static readonly ModelConfig Llama2_7B = ModelConfigLoader.Load(TestPaths.Model("llama-2-7b"));
    private static readonly ModelConfig Llama31_8B = ModelConfigLoader.Load(TestPaths.Model("llama-3.1-8b"));

    private static CacheScheme Parse(string s)
    {
        var errors = new List<string>();
        var scheme = SchemeRegistry.TryParse(s, errors);
        Assert.IsNotNull(scheme, string.Join("; ", errors));
        return scheme;
    }

    [TestMethod]
    public void Fp16Kv_Llama2_7B_Is524288BytesPerToken()
    {
        // 2 (K,V) x 32 layers x 4096 x 2 bytes
        Assert.AreEqual(524_288.0, CacheMemory.PaperBytesPerToken(new Fp16KvScheme().Layout(Llama2_7B)));
        Assert.AreEqual(524_288.0, CacheMemory.Fp16KvBytesPerToken(Llama2_7B));
    }

    [TestMethod]
    [DataRow("xquant:4", (4 + 0.25) / 32, 7.69, DisplayName = "XQuant 4-bit MHA = 0.133, quoted 7.7x")]
    [DataRow("xquant:3", (3 + 0.25) / 32, 10.0, DisplayName = "XQuant 3-bit MHA")]
    [DataRow("xquant:2", (2 + 0.25) / 32, 14.29, DisplayName = "XQuant 2-bit MHA")]
    [DataRow("kivi:2", (2 + 0.25) / 16, 7.14, DisplayName = "KIVI* 2-bit = (2 + 0.25) / 16")]
    [DataRow("kivi:4", (4 + 0.25) / 16, 3.70, DisplayName = "KIVI* 4-bit")]
    [DataRow("kivi:3", (3 + 0.25) / 16, 5.0, DisplayName = "KIVI* 3-bit")]
    [DataRow("xquant-cl:2", (3 * 4.25 + 29 * 2.25) / 1024, 12.5, DisplayName = "XQuant-CL 2-bit, 3 layers at 4 bits: the paper's 12.5x")]
    [DataRow("xquant-cl:3", (3 * 4.25 + 29 * 3.25) / 1024, 10.0, DisplayName = "XQuant-CL 3-bit: the paper's 10x")]
    [DataRow("kivi:2,first=3@4", (3 * 4.25 + 29 * 2.25) / 512, 6.67, DisplayName = "KIVI* 2-bit, first 3 layers at 4 bits")]
    public void NormalizedSize_MatchesHandDerivation_Llama2_7B(string spec, double expected, double paperSavings)
    {
        var row = MemoryRow.Compute(Llama2_7B, Parse(spec), 1, 4096);
        Assert.AreEqual(expected, row.NormalizedSize, 1e-12);
        Assert.AreEqual(paperSavings, row.SavingsPaper, 0.01);
    }

    [TestMethod]
    public void XQuantGqa_StoresAsMuchAsKiviAtSameBits()
    {
        // Latents X Uk and X Uv are each d_kv wide: the same bytes as a GQA KV cache at equal bits.
        Assert.AreEqual(
            CacheMemory.NormalizedSize(Parse("kivi:2"), Llama31_8B),
            CacheMemory.NormalizedSize(Parse("xquant-gqa:2"), Llama31_8B),
            1e-15);
        Assert.AreEqual((2 + 0.25) / 16, CacheMemory.NormalizedSize(Parse("xquant-gqa:2"), Llama31_8B), 1e-15);
    }

    [TestMethod]
    public void XQuantGqa_Fp16FirstChannel_AddsFourteenBitsPerTokenPerLayer()
    {
        double plain = CacheMemory.PaperBytesPerToken(Parse("xquant-gqa:2").Layout(Llama31_8B));
        double withFp16 = CacheMemory.PaperBytesPerToken(Parse("xquant-gqa:2,fp16first=1").Layout(Llama31_8B));
        // one channel moves from 2 bits + 4/128 bytes of metadata to 16 bits: per layer +2 - 2/8 - 4/128 bytes
        Assert.AreEqual(32 * (2 - 0.25 - 4.0 / 128), withFp16 - plain, 1e-9);
    }

    [TestMethod]
    public void PlainXQuant_OnGqa_IsFlaggedAndComputedHonestly()
    {
        var row = MemoryRow.Compute(Llama31_8B, Parse("xquant:2"), 1, 1024);
        // X is 4096 wide, K+V 2 x 1024: 2x the elements of the KV cache.
        Assert.AreEqual((4096 * 2.25 / 8) / (2 * 1024 * 2.0), row.NormalizedSize, 1e-12);
        Assert.AreEqual(1, row.Warnings.Count);
        StringAssert.Contains(row.Warnings[0], "xquant-gqa");
    }

    [TestMethod]
    public void XQuantClGqa_StoresDeltaLatentsTwiceDkvWide()
    {
        // base 3 layers at 4 bits, 29 at 2 bits, each 2 x d_kv = 2048 wide, vs FP16 K+V = 2048 x 16 bits.
        double expected = (3 * 4.25 + 29 * 2.25) / (32 * 16.0);
        Assert.AreEqual(expected, CacheMemory.NormalizedSize(Parse("xquant-cl-gqa:2"), Llama31_8B), 1e-12);
    }

    [TestMethod]
    public void Kivi_WindowHoldsRecentTokensInFp16_AndWholeGroupsOnly()
    {
        // Tiny: one layer, d_kv = 256, context 300, G = window = 128. The window flushes every 128 tokens, so it
        // holds 300 mod 128 = 44 tokens; 256 are quantized: keys per-channel 2 groups per channel, values
        // per-token 2 groups per token.
        var layout = new KiviScheme(2).Layout(new ModelConfig
        {
            Id = "tiny",
            HiddenSize = 256,
            Layers = 1,
            Heads = 2,
            KvHeads = 2,
            HeadDim = 128,
            IntermediateSize = 512,
            VocabSize = 10,
        });
        var m = CacheMemory.ForSequence(layout, 300);
        Assert.AreEqual(2 * 256 * (256 * 2 / 8.0), m.PayloadBytes);
        Assert.AreEqual((256 * 2 + 256 * 2) * 4.0, m.MetadataBytes);
        Assert.AreEqual(2 * 44 * 256 * 2.0, m.WindowBytes);
        Assert.AreEqual(0, m.AccumulatorBytes);
        Assert.AreEqual(0, CacheMemory.ForSequence(layout, 384).WindowBytes);
        // Capacity plans take the fullest window on the way: 127 tokens.
        // 257 quantized tokens: keys 257 x 64 B + 256 channels x 3 groups x 4 B; values 257 x 64 B + 257 x 2 x 4 B;
        // window 2 x 127 x 256 x 2 B.
        Assert.AreEqual(2 * 257 * 64 + 256 * 3 * 4 + 257 * 2 * 4 + 2 * 127 * 256 * 2.0, CacheMemory.TotalBytesPerSequence(layout, 384, worstWindow: true));
    }

    [TestMethod]
    public void CacheBytes_AreLinearInBatchAndContext_PastTheWindow()
    {
        foreach (string spec in new[] { "fp16", "kivi:2", "xquant:4", "xquant-cl:2", "xquant-gqa:3", "xquant-cl-gqa:2" })
        {
            var layout = Parse(spec).Layout(Llama2_7B);
            double at1k = CacheMemory.ForBatch(layout, 1, 1024 + 128).TotalBytes;
            double at2k = CacheMemory.ForBatch(layout, 1, 2048 + 128).TotalBytes;
            double at3k = CacheMemory.ForBatch(layout, 1, 3072 + 128).TotalBytes;
            Assert.AreEqual(at2k - at1k, at3k - at2k, 1e-6, spec);
            Assert.AreEqual(8 * at2k, CacheMemory.ForBatch(layout, 8, 2048 + 128).TotalBytes, 1e-6, spec);
        }
    }

    [TestMethod]
    public void ExtremeSizes_DoNotOverflow()
    {
        var huge = new ModelConfig
        {
            Id = "1t",
            HiddenSize = 32768,
            Layers = 128,
            Heads = 256,
            KvHeads = 256,
            HeadDim = 128,
            IntermediateSize = 131072,
            VocabSize = 256000,
        };
        double bytes = CacheMemory.ForBatch(new Fp16KvScheme().Layout(huge), 100_000, 10_000_000).TotalBytes;
        Assert.AreEqual(2.0 * 32768 * 2 * 128 * 100_000 * 10_000_000, bytes, 1e6);
        Assert.IsTrue(double.IsFinite(bytes));
    }

    [TestMethod]
    public void TotalBytesPerSequence_EqualsTheBreakdownSum()
    {
        foreach (string spec in new[] { "fp16", "kivi:2", "kivi:3,g=64,first=2@8", "xquant:4", "xquant-cl:2,acc=16", "xquant-gqa:3,fp16first=1", "xquant-cl-gqa:2" })
        {
            var layout = Parse(spec).Layout(Llama31_8B);
            foreach (double l in new[] { 1.0, 100, 128, 129, 4095, 100_000 })
            {
                Assert.AreEqual(CacheMemory.ForSequence(layout, l).TotalBytes, CacheMemory.TotalBytesPerSequence(layout, l), 1e-6, $"{spec} at {l}");
            }
        }
    }
}
