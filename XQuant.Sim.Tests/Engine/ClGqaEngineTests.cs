using XQuant.Kernels.Metrics;
using XQuant.Kernels.Engine;
using XQuant.Sim.Studies.Accuracy;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Domain.Memory;
using XQuant.Sim.Studies.Measurement;

namespace XQuant.Sim.Tests.Engine;

[TestClass]
public sealed class ClGqaEngineTests
{
    /// <summary>d 128, 4 layers, 4 query heads of 32 sharing 1 KV head: 2 kv_dim = 64 &lt;= d.</summary>
    private static readonly EngineConfig Gqa = new(128, 4, 4, 1, 32, 256, 256, 640);
    private static readonly Lazy<EngineWeights> Weights = new(() => new EngineWeights(Gqa));

    private static float[] RunLogits(EngineScheme scheme, int context, int steps) =>
        EngineRuns.Logits(Weights.Value, scheme, context, steps, deterministic: true);

    private static double RelativeError(float[] a, float[] reference) => ErrorMetrics.RelativeFrobenius(reference, a);

    [TestMethod]
    public void Logits_ApproachFp16_AsBitsGrow()
    {
        var reference = RunLogits(EngineScheme.Fp16, 200, 3);
        double e2 = RelativeError(RunLogits(EngineScheme.XQuantClGqa(2), 200, 3), reference);
        double e4 = RelativeError(RunLogits(EngineScheme.XQuantClGqa(4), 200, 3), reference);
        double e8 = RelativeError(RunLogits(EngineScheme.XQuantClGqa(8, baseLayers: 2, baseBits: 8), 200, 3), reference);
        Assert.IsTrue(e8 < e4 && e4 < e2, $"xquant-cl-gqa errors 2/4/8 bits: {e2}, {e4}, {e8}");
        // 8-bit latents and deltas with an fp16 accumulator: only rounding (Wkv = Ukv Ukv^T Wkv exactly in the SVD).
        Assert.IsTrue(e8 < 0.01, $"8-bit error {e8}");
        Assert.IsTrue(e8 > 0, "the cache was not quantized");
        Assert.IsTrue(e2 < 0.5, $"2-bit error {e2}");
    }

    [TestMethod]
    public void CacheBytes_EqualTheAccounting()
    {
        var s = EngineScheme.XQuantClGqa(2);
        var layout = EngineModel.ToCacheScheme(s).Layout(EngineModel.ToModelConfig(Gqa));
        var e = new DecodeEngine(Weights.Value, s);
        e.FillSynthetic(128);
        Assert.AreEqual(CacheMemory.TotalBytesPerSequence(layout, 128), (double)e.CacheBytes);
        var r = e.Step(3);
        Assert.AreEqual(CacheMemory.TotalBytesPerSequence(layout, 129), (double)r.CacheBytes);
    }

    [TestMethod]
    public void AccuracyRun_TeacherForced_ReportsTheScheme_AndMhaIsRejected()
    {
        var ids = Enumerable.Range(0, 48).Select(i => (i * 37) % 256).ToList();
        var r = AccuracyRunner.Run(Weights.Value, SyntheticModels.ParseSchemes("xquant-cl-gqa:4,xquant-cl-gqa:2"), TokenPlan.Fixed(ids, "ids"), AccuracyOrigin.Synthetic, "tiny-gqa", "ids", 256);
        Assert.AreEqual("xquant-cl-gqa", r.Schemes[0].Family);
        Assert.AreEqual("xquant-cl-gqa:4,acc=16", r.Schemes[0].Spec, "canonical spec: base 3 layers at 4 bits is the default, the engine accumulates in fp16");
        Assert.IsTrue(r.Schemes[0].KRelError < r.Schemes[1].KRelError, $"K error 4 vs 2 bits: {r.Schemes[0].KRelError}, {r.Schemes[1].KRelError}");
        Assert.IsTrue(r.Schemes[0].KRelError < 0.3 && r.Schemes[0].KRelError > 0);
        var mha = Assert.ThrowsExactly<InputException>(() => SyntheticModels.Check(SyntheticModels.ParseSchemes("xquant-cl-gqa:2"), EngineConfig.Tiny, "tiny"));
        StringAssert.Contains(mha.Message, "2 kv_dim <= hidden");
        Assert.ThrowsExactly<InputException>(() => SyntheticModels.ParseSchemes("xquant-cl-gqa:5"));
    }
}
