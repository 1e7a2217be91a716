using XQuant.Kernels.Metrics;
using XQuant.Kernels.Engine;
using XQuant.Kernels.Fast;
using XQuant.Kernels.Quantization;
using XQuant.Sim.Domain.Memory;
using XQuant.Sim.Studies.Measurement;

namespace XQuant.Sim.Tests.Engine;

[TestClass]
public sealed class DecodeEngineTests
{
    private static readonly Lazy<EngineWeights> Weights = new(() => new EngineWeights(EngineConfig.Tiny));

    private static float[] RunLogits(EngineScheme scheme, int context, int steps) =>
        EngineRuns.Logits(Weights.Value, scheme, context, steps);

    private static double RelativeError(float[] a, float[] reference) => ErrorMetrics.RelativeFrobenius(reference, a);

    [TestMethod]
    public void HalfVector_MatchesHalfBits_BitForBit()
    {
        var rng = new Random(3);
        var f = new float[4096];
        for (int i = 0; i < f.Length; i++)
        {
            f[i] = (float)((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-9, 6)));
        }
        f[5] = 0f;
        f[6] = -0f;
        f[70] = 1e-7f; // subnormal half
        f[100] = 70000f; // overflow to Inf
        f[200] = float.NaN;
        var h = new ushort[f.Length];
        HalfVector.FromFloat(f, h);
        for (int i = 0; i < f.Length; i++)
        {
            Assert.AreEqual(HalfBits.FromFloat(f[i]), h[i], $"float {f[i]} at {i}");
        }
        var all = Enumerable.Range(0, 65536).Select(i => (ushort)i).ToArray();
        var back = new float[all.Length];
        HalfVector.ToFloat(all, back);
        for (int i = 0; i < all.Length; i++)
        {
            Assert.AreEqual(BitConverter.SingleToUInt32Bits(HalfBits.ToFloat(all[i])), BitConverter.SingleToUInt32Bits(back[i]), $"half bits {i:x4}");
        }
    }

    [TestMethod]
    public void Gemv_EqualsBlockedGemm()
    {
        var rng = new Random(5);
        int k = 300, n = 96;
        var w = new float[k * n];
        var x = new float[k];
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = rng.NextSingle() - 0.5f;
        }
        for (int i = 0; i < k; i++)
        {
            x[i] = rng.NextSingle() - 0.5f;
        }
        var packed = new PackedWeights(w, k, n);
        var expected = FastCpu.MatMul(x, 1, packed);
        var y = new float[n];
        EngineMath.Gemv(x, packed, y);
        for (int j = 0; j < n; j++)
        {
            Assert.AreEqual(expected[j], y[j], 1e-4, $"column {j}");
        }
    }

    [TestMethod]
    [DataRow("kivi:4", 0.10)]
    [DataRow("xquant:4", 0.10)]
    [DataRow("kivi:2", 0.50)]
    [DataRow("xquant:2", 0.50)]
    [DataRow("xquant-cl:2", 0.50)]
    [DataRow("xquant-cl:3", 0.30)]
    public void Step_LogitsCloseToFp16_WithinTheSchemesError(string spec, double bound)
    {
        var reference = RunLogits(EngineScheme.Fp16, 256, 3);
        var logits = RunLogits(EngineModel.ParseScheme(spec), 256, 3);
        double err = RelativeError(logits, reference);
        Assert.IsTrue(err < bound, $"{spec}: relative logit error {err} >= {bound}");
        Assert.IsTrue(err > 0, $"{spec}: logits identical to fp16, so the cache was not quantized");
        Assert.IsTrue(logits.All(float.IsFinite));
    }

    [TestMethod]
    public void MoreBits_SmallerLogitError()
    {
        var reference = RunLogits(EngineScheme.Fp16, 256, 2);
        double e2 = RelativeError(RunLogits(EngineScheme.XQuant(2), 256, 2), reference);
        double e4 = RelativeError(RunLogits(EngineScheme.XQuant(4), 256, 2), reference);
        double e8 = RelativeError(RunLogits(EngineScheme.XQuant(8), 256, 2), reference);
        Assert.IsTrue(e8 < e4 && e4 < e2, $"xquant errors 2/4/8 bits: {e2}, {e4}, {e8}");
    }

    [TestMethod]
    [DataRow("fp16")]
    [DataRow("kivi:2")]
    [DataRow("kivi:4")]
    [DataRow("xquant:2")]
    [DataRow("xquant:3")]
    [DataRow("xquant-cl:2")]
    public void CacheBytes_EqualTheAccounting(string spec)
    {
        var s = EngineModel.ParseScheme(spec);
        var model = EngineModel.ToModelConfig(EngineConfig.Tiny);
        var layout = EngineModel.ToCacheScheme(s).Layout(model);
        // KIVI holds exactly W fp16 tokens at l = W + kG; the other schemes at every context.
        foreach (int context in new[] { 128, 256, 384 })
        {
            var e = new DecodeEngine(Weights.Value, s);
            e.FillSynthetic(context);
            Assert.AreEqual(CacheMemory.TotalBytesPerSequence(layout, context), (double)e.CacheBytes, $"{spec} at {context}");
            if (s.Kind == EngineSchemeKind.Kivi)
            {
                continue;
            }
            for (int step = 0; step < 3; step++)
            {
                var r = e.Step(step);
                Assert.AreEqual(CacheMemory.TotalBytesPerSequence(layout, context + step + 1), (double)r.CacheBytes, $"{spec} after step {step}");
            }
        }
    }

    [TestMethod]
    public void Kivi_DecodingAcrossAFlush_KeepsTheAccountingAtAlignedContexts()
    {
        var s = EngineScheme.Kivi(2);
        var layout = EngineModel.ToCacheScheme(s).Layout(EngineModel.ToModelConfig(EngineConfig.Tiny));
        var e = new DecodeEngine(Weights.Value, s);
        e.FillSynthetic(250);
        for (int i = 0; i < 6; i++)
        {
            e.Step(i);
        }
        Assert.AreEqual(256, e.Tokens);
        Assert.AreEqual(CacheMemory.TotalBytesPerSequence(layout, 256), (double)e.CacheBytes);
    }

    [TestMethod]
    public void Steps_ReportEveryOpAndTheContext()
    {
        var e = new DecodeEngine(Weights.Value, EngineScheme.XQuant(4));
        e.FillSynthetic(100);
        var r = e.Step(1);
        Assert.AreEqual(100, r.ContextBefore);
        Assert.AreEqual(EngineOps.All.Count, r.OpSec.Count);
        Assert.IsTrue(r.StepSec >= r.OpSec.Sum() * 0.999);
        Assert.AreEqual(0.0, r.Sec(EngineOp.KProj), "XQuant projects no K for the new token");
        Assert.IsTrue(r.Sec(EngineOp.Attention) > 0);
    }
}
