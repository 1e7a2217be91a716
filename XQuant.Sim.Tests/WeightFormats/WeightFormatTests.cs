using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Planning;

namespace XQuant.Sim.Tests.WeightFormats;

[TestClass]
public sealed class WeightFormatTests
{
    private static WeightPrecision Parse(string s) =>
        WeightPrecisions.TryParse(s, out var w, out string error) ? w : throw new AssertFailedException(error);

    private static OpCost Op(Workload w, string name) => Ledger.Build(w).Single(o => o.Name == name);

    [TestMethod]
    public void BytesPerWeight_CountScales()
    {
        Assert.AreEqual(2.0, WeightPrecision.Bf16.BytesPerWeight());
        Assert.AreEqual(0.515625, WeightPrecision.Int4.BytesPerWeight());         // 4 + 16/128 bits
        Assert.AreEqual(0.5625, WeightPrecision.Nvfp4.BytesPerWeight());          // E2M1 + an E4M3 scale per 16: 4 + 8/16 = 4.5 bits
        Assert.AreEqual(0.53125, WeightPrecision.Mxfp4.BytesPerWeight());         // E2M1 + an E8M0 scale per 32: 4 + 8/32 = 4.25 bits
        Assert.AreEqual(0.5625, Parse("int4,bits=4.5").BytesPerWeight());         // GGUF Q4_0: 18 bytes per block of 32
        Assert.AreEqual(8.5 / 8, Parse("q8_0").BytesPerWeight());                 // GGUF Q8_0: 34 bytes per block of 32
        Assert.AreEqual(4.5 / 8, Parse("q4_0").BytesPerWeight());
        Assert.AreEqual(4.85 / 8, Parse("int4,bits=4.85").BytesPerWeight());      // Q4_K_M, about
    }

    [TestMethod]
    public void Names_RoundTrip()
    {
        foreach (string s in new[] { "bf16", "fp8", "int8", "int4", "nvfp4", "mxfp4", "int4,bits=4.5", "int8,bits=8.5", "nvfp4,a16", "mxfp4,a16" })
        {
            Assert.AreEqual(s, Parse(s).Name());
            Assert.AreEqual(Parse(s), Parse(Parse(s).Name()));
        }
        Assert.AreEqual("int4,bits=4.5", Parse("q4_0").Name());
    }

    [TestMethod]
    public void TinyLedger_WeightBytes_HandComputed()
    {
        // TinyMha: q_proj is 64 x 64 per layer, 2 layers.
        var w = TestData.Decode(TestData.TinyMha, TestData.Round, "fp16", 1, 10);
        Assert.AreEqual(64 * 64 * 2 * 4.5 / 8, Op(w with { Weights = Parse("int4,bits=4.5") }, "q_proj").Bytes(TensorClass.Weights));
        Assert.AreEqual(64 * 64 * 2 * 4.5 / 8, Op(w with { Weights = WeightPrecision.Nvfp4 }, "q_proj").Bytes(TensorClass.Weights));
        Assert.AreEqual(64 * 64 * 2 * 4.25 / 8, Op(w with { Weights = WeightPrecision.Mxfp4 }, "q_proj").Bytes(TensorClass.Weights));
        Assert.AreEqual(64 * 100 * 8.5 / 8, Op(w with { Weights = Parse("q8_0") }, "lm_head").Bytes(TensorClass.Weights));
        // Capacity: every parameter at the stated width.
        var m = TestData.Model("llama-3.1-8b");
        var big = TestData.Decode(m, TestData.Hardware("h100-sxm"), "fp16", 1, 1024) with { Weights = Parse("int4,bits=4.5") };
        Assert.AreEqual(m.TotalParams * 4.5 / 8, Capacity.WeightBytes(big));
    }

    [TestMethod]
    public void Fp4Gemms_RunAtTheFp4Peak_OnlyWhereTheDevicePublishesOne()
    {
        var b200 = TestData.Hardware("b200");
        var h100 = TestData.Hardware("h100-sxm");
        Assert.AreEqual(9000e12, b200.Peak(DType.Fp4));
        Assert.IsNull(h100.Peak(DType.Fp4));
        Assert.IsNull(b200.Peak(DType.Fp6), "B200 publishes no FP6 rate in the sources read: missing stays missing");
        Assert.AreEqual(10066.4e12, TestData.Hardware("mi355x").Peak(DType.Fp4));
        Assert.AreEqual(5000e12, TestData.Hardware("gb200").Peak(DType.Fp6));
        var m = TestData.Model("llama-3.1-8b");
        var onB200 = Roofline.Step(TestData.Decode(m, b200, "fp16", 16, 4096) with { Weights = WeightPrecision.Nvfp4 });
        Assert.AreEqual(DType.Fp4, onB200.Ops.Single(o => o.Op.Name == "q_proj").Op.DType);
        Assert.AreEqual(DType.Bf16, onB200.Ops.Single(o => o.Op.Name == "attn_scores").Op.DType, "attention never computes in FP4");
        var q = onB200.Ops.Single(o => o.Op.Name == "q_proj");
        Assert.AreEqual(q.Op.Flops / 9000e12, q.ComputeSec, 1e-18);
        var weightOnly = Roofline.Step(TestData.Decode(m, b200, "fp16", 16, 4096) with { Weights = Parse("nvfp4,a16") });
        Assert.AreEqual(DType.Bf16, weightOnly.Ops.Single(o => o.Op.Name == "q_proj").Op.DType);
        var onH100 = Roofline.Step(TestData.Decode(m, h100, "fp16", 16, 4096) with { Weights = WeightPrecision.Nvfp4 });
        Assert.AreEqual(DType.Bf16, onH100.Ops.Single(o => o.Op.Name == "q_proj").Op.DType);
        Assert.IsTrue(onH100.Notes.Any(n => n.Contains("no fp4 rate", StringComparison.Ordinal)), string.Join("; ", onH100.Notes));
    }

    [TestMethod]
    public void Cli_BadWeights_OneLine_Exit2()
    {
        foreach (string bad in new[] { "int4,bits=0", "int4,bits=17", "bf16,bits=4", "nvfp4,bits=4", "int4,a16", "fp4", "int4,bits=4.5,bits=5" })
        {
            var (code, o, e) = TestCli.Run("ledger", "-H", "h100-sxm", "-m", "llama-3.1-8b", "--weights", bad);
            Assert.AreEqual(2, code, bad);
            Assert.AreEqual("", o, bad);
            Assert.AreEqual(1, e.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, e);
            StringAssert.StartsWith(e, "--weights:", e);
        }
        var (ok, output, _) = TestCli.Run("ledger", "-H", "b200", "-m", "llama-3.1-8b", "--weights", "int4,bits=4.5");
        Assert.AreEqual(0, ok);
        StringAssert.Contains(output, "weights int4,bits=4.5");
    }
}
