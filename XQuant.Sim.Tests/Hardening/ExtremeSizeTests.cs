using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Planning;

namespace XQuant.Sim.Tests.Hardening;

[TestClass]
public sealed class ExtremeSizeTests
{
    /// <summary>About 1.1 T parameters: d = 32768, 96 layers, FFN 4d, GQA 16 KV heads, vocab 256k.</summary>
    private static readonly ModelConfig Trillion = new()
    {
        Id = "1t",
        HiddenSize = 32768,
        Layers = 96,
        Heads = 256,
        KvHeads = 16,
        HeadDim = 128,
        IntermediateSize = 4 * 32768,
        VocabSize = 256_000,
    };

    [TestMethod]
    [DataRow("fp16")]
    [DataRow("kivi:2")]
    [DataRow("xquant:4")]
    [DataRow("xquant-cl:2")]
    [DataRow("xquant-gqa:2")]
    [DataRow("xquant-cl-gqa:2,remat=unfused")]
    public void TenMillionTokens_HundredThousandSequences_TrillionParameters_StayFinite(string scheme)
    {
        Assert.IsTrue(Trillion.TotalParams > 1e12, Formats(Trillion.TotalParams));
        var w = TestData.Decode(Trillion, TestData.Hardware("b200"), scheme, 100_000, 10_000_000);
        var r = CaseCoster.Cost(w);
        foreach (double v in new[] { r.Step.Flops, r.Step.DramBytes, r.Step.SerialSec, r.Step.OverlappedSec, r.Cache.TotalBytes, r.Capacity.UsedBytes })
        {
            Assert.IsTrue(double.IsFinite(v) && v > 0, $"{scheme}: {v}");
        }
        Assert.IsFalse(r.Capacity.Fits);
        Assert.AreEqual(0, r.Capacity.MaxBatchAtContext);
        // Exact where exactness is checkable: FP16 KV at this size is 2 x 16 x 128 x 2 B x 96 layers per token.
        if (scheme == "fp16")
        {
            Assert.AreEqual(2.0 * 2048 * 2 * 96 * 1e7 * 1e5, r.Cache.TotalBytes, 1e9);
        }
        var prefill = Roofline.Step(w with { Phase = Phase.Prefill, Batch = 1 });
        Assert.IsTrue(double.IsFinite(prefill.OverlappedSec));
    }

    private static string Formats(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
