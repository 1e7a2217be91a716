using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Memory;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Tests.Workloads;

[TestClass]
public sealed class FloatKvTests
{
    private static OpCost Op(Workload w, string name) =>
        Ledger.Build(w).SingleOrDefault(o => o.Name == name) ?? throw new AssertFailedException($"no op {name} in {string.Join(", ", Ledger.Build(w).Select(o => o.Name))}");

    [TestMethod]
    public void Fp8_IsOneBytePerElement_NothingPerToken()
    {
        // TinyMha: d_kv = 64, 2 layers: K + V = 2 x 64 x 1 B per layer.
        var s = TestData.Scheme("fp8");
        Assert.AreEqual(2 * 2 * 64 * 1.0, CacheMemory.PaperBytesPerToken(s.Layout(TestData.TinyMha)));
        Assert.AreEqual(0.5, CacheMemory.NormalizedSize(s, TestData.TinyMha));
        Assert.AreEqual(10 * 2 * 2 * 64.0, CacheMemory.ForSequence(s.Layout(TestData.TinyMha), 10).TotalBytes);
    }

    [TestMethod]
    public void Nvfp4_IsHalfAByte_PlusAnFp8ScalePer16()
    {
        // Per tensor per token: 64 x 4 bits = 32 B + 64 / 16 = 4 one-byte scales: 36 B, 4.5 bits per element.
        var s = TestData.Scheme("nvfp4");
        Assert.AreEqual(2 * 2 * 36.0, CacheMemory.PaperBytesPerToken(s.Layout(TestData.TinyMha)));
        Assert.AreEqual(4.5 / 16, CacheMemory.NormalizedSize(s, TestData.TinyMha));
        var w = TestData.Decode(TestData.TinyMha, TestData.Round, "nvfp4", 1, 10);
        // 10 cached tokens, K and V, 2 layers.
        Assert.AreEqual(10 * 32 * 2 * 2.0, Op(w, "kv_dequant").Bytes(TensorClass.KvCacheRead));
        Assert.AreEqual(10 * 4 * 2 * 2.0, Op(w, "kv_dequant").Bytes(TensorClass.Metadata));
    }

    [TestMethod]
    public void StaticScales_AreNamedNotCountedPerToken()
    {
        var tensor = (FloatKvScheme)TestData.Scheme("fp8");
        var head = (FloatKvScheme)TestData.Scheme("fp8,scale=head");
        Assert.AreEqual(2 * 2 * 1 * 4.0, tensor.ConstantMetadataBytes(TestData.TinyMha));
        Assert.AreEqual(2 * 2 * 4 * 4.0, head.ConstantMetadataBytes(TestData.TinyMha));
        Assert.AreEqual("fp8,scale=head", head.Spec);
        Assert.AreEqual(CacheMemory.PaperBytesPerToken(tensor.Layout(TestData.TinyMha)), CacheMemory.PaperBytesPerToken(head.Layout(TestData.TinyMha)));
        StringAssert.Contains(head.Warnings(TestData.TinyMha)[0], "not counted per token");
    }

    [TestMethod]
    public void BadOptions_AreRefused()
    {
        var errors = new List<string>();
        Assert.IsNull(SchemeRegistry.TryParse("fp8,scale=row", errors));
        Assert.IsNull(SchemeRegistry.TryParse("nvfp4:4", errors));
        Assert.AreEqual(2, errors.Count, string.Join("\n", errors));
        var odd = TestData.TinyMha with { HiddenSize = 48, HeadDim = 12, KvHeads = 1 };
        Assert.AreEqual(1, TestData.Scheme("nvfp4").Validate(odd).Count);
        Assert.AreEqual(0, TestData.Scheme("nvfp4").Validate(TestData.TinyMha).Count);
    }
}
