using XQuant.Kernels.Engine;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Rendering.Reports;
using XQuant.Sim.Studies.Accuracy;

namespace XQuant.Sim.Tests.Accuracy;

[TestClass]
public sealed class AccuracyTests
{
    private static readonly EngineConfig Config = EngineConfig.Tiny with { MaxContext = 160 };

    private static readonly Lazy<AccuracyResult> Result = new(() =>
    {
        var w = new EngineWeights(Config, new SyntheticStructure().Build(Config, 5));
        var schemes = new[] { EngineScheme.Kivi(8), EngineScheme.Kivi(2), EngineScheme.XQuant(8), EngineScheme.XQuant(4), EngineScheme.XQuant(2), EngineScheme.XQuantGqa(8), EngineScheme.XQuantGqa(4), EngineScheme.XQuantCl(2) };
        return AccuracyRunner.Run(w, schemes, TokenPlan.SampledFromReference(140, 3), AccuracyOrigin.Synthetic, "tiny", "synthetic", Config.VocabSize);
    });

    private static SchemeAccuracy S(string name) => Result.Value.Schemes.Single(s => s.Scheme == name);

    [TestMethod]
    public void Softmax_And_Kl_MatchHandValues()
    {
        var p = new double[2];
        AccuracyRunner.Softmax([0f, MathF.Log(3f)], 2, p);
        Assert.AreEqual(0.25, p[0], 1e-7);
        Assert.AreEqual(0.75, p[1], 1e-7);
        double kl = AccuracyRunner.Kl([0.5, 0.5], [0.25, 0.75]);
        Assert.AreEqual((0.5 * Math.Log(2)) + (0.5 * Math.Log(2.0 / 3)), kl, 1e-12);
        Assert.AreEqual(0, AccuracyRunner.Kl([0.3, 0.7], [0.3, 0.7]), 1e-15);
    }

    [TestMethod]
    public void EightBitSchemes_AreNearlyExact_AndErrorsGrowAsBitsShrink()
    {
        foreach (string name in new[] { "kivi:8", "xquant:8", "xquant-gqa:8" })
        {
            var s = S(name);
            Assert.IsTrue(s.KRelError < 0.02 && s.VRelError < 0.02, $"{name}: K {s.KRelError}, V {s.VRelError}");
            Assert.IsTrue(s.MeanKl < 1e-3, $"{name}: KL {s.MeanKl}");
            Assert.IsTrue(s.Top1Agreement > 0.95, $"{name}: top-1 {s.Top1Agreement}");
        }
        Assert.IsTrue(S("kivi:2").KRelError > 5 * S("kivi:8").KRelError);
        Assert.IsTrue(S("xquant:2").MeanKl > S("xquant:4").MeanKl && S("xquant:4").MeanKl > S("xquant:8").MeanKl);
        foreach (var s in Result.Value.Schemes)
        {
            Assert.IsTrue(s.MeanKl >= 0 && s.Top1Agreement is >= 0 and <= 1 && double.IsFinite(s.Perplexity) && s.AttnRelErrorPerLayer.Count == Config.Layers, s.Scheme);
        }
    }

    [TestMethod]
    public void NormalizedSizes_MatchHandComputedLayouts()
    {
        // d = 128, one group of 128 per row: XQuant 4-bit stores 64 code bytes + fp16 scale and zero (4 bytes) per token
        // and layer; FP16 K and V store 2 x 2 x 128 = 512 bytes.
        Assert.AreEqual(68.0 / 512, S("xquant:4").NormalizedSize, 1e-12);
        Assert.AreEqual(Result.Value.ReferenceCacheBytes, 140L * 512 * Config.Layers);
        // MHA: the SVD latents are d_kv = d wide, so XQuant-GQA holds exactly what KIVI* holds at the same bits.
        Assert.AreEqual(S("kivi:8").CacheBytes, S("xquant-gqa:8").CacheBytes);
    }

    [TestMethod]
    public void Findings_SeeTheStructureTheKnobsPutIn()
    {
        var f = Result.Value.Findings;
        Assert.IsTrue(f.XOutlierRatio > 4, $"outlier ratio {f.XOutlierRatio}");
        Assert.IsTrue(f.DeltaToXRange < 0.7, $"delta/X range {f.DeltaToXRange}");
        Assert.AreEqual(Config.Layers, f.Latent.Count);
        Assert.IsTrue(f.EqualBits.Any(l => l.Contains("xquant:8 vs kivi:8", StringComparison.Ordinal)));
        // Without structure (no outliers, full-size residual updates) deltas are as wide as X.
        var plain = new SyntheticStructure(0, 1, 1, 0.1f, 1);
        var w = new EngineWeights(Config, plain.Build(Config, 5));
        var r = AccuracyRunner.Run(w, [EngineScheme.XQuant(4)], TokenPlan.SampledFromReference(40, 3), AccuracyOrigin.Synthetic, "tiny", "synthetic", Config.VocabSize);
        Assert.IsTrue(r.Findings.DeltaToXRange > f.DeltaToXRange, $"{r.Findings.DeltaToXRange} vs {f.DeltaToXRange}");
        Assert.IsTrue(r.Findings.XOutlierRatio < 3, $"{r.Findings.XOutlierRatio}");
    }

    [TestMethod]
    public void QualityCsv_KeepsHostileNamesInTheirCells()
    {
        // Model and dataset names come from folder and file names, which may hold commas, quotes, formulas, newlines.
        var r = Result.Value with { ModelId = "=HYPERLINK(1),x", Dataset = "wiki \"2\"", TokenSource = "t.txt\n1,evil,row" };
        string csv = AccuracyReport.QualityCsv(r);
        Assert.AreEqual(1, csv.Split('\n').Count(l => l.StartsWith('#')));
        Assert.AreEqual(r.Schemes.Count + 3, csv.TrimEnd('\n').Split('\n').Length, csv);
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "quality.csv");
        File.WriteAllText(path, csv);
        var points = XQuant.Sim.Studies.Quality.PaperQuality.Load(path);
        Assert.AreEqual(r.Schemes.Count + 1, points.Count);
        Assert.IsTrue(points.All(p => p.Model == "'=HYPERLINK(1),x" && p.Dataset == "wiki \"2\""));
        CollectionAssert.AreEqual(r.Schemes.Select(s => s.Spec).Prepend("fp16").ToList(), points.Select(p => p.Scheme).ToList());
    }

    [TestMethod]
    public void QualityCsv_IsReadByTheParetoLoader_WithItsSource()
    {
        string dir = Path.Combine(Path.GetTempPath(), "xq-acc-" + Guid.NewGuid().ToString("N"));
        try
        {
            var files = OutputSet.Write(dir, AccuracyReport.Files(Result.Value, "test", "tiny"));
            var points = XQuant.Sim.Studies.Quality.PaperQuality.Load(files.Single(f => f.EndsWith("quality.csv", StringComparison.Ordinal)));
            Assert.AreEqual(Result.Value.Schemes.Count + 1, points.Count);
            Assert.IsTrue(points.All(p => p.Source == XQuant.Sim.Studies.Quality.QualitySource.MeasuredSynthetic && p.Model == "tiny"));
            Assert.AreEqual("xquant:4", points.Single(p => p.Method == "xquant" && p.Bits == 4).Scheme);
            string md = File.ReadAllText(files.Single(f => f.EndsWith("accuracy.md", StringComparison.Ordinal)));
            Assert.Contains("synthetic", md);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void Runs_AreBitIdentical()
    {
        var w = new EngineWeights(Config, new SyntheticStructure().Build(Config, 9));
        AccuracyResult Once() => AccuracyRunner.Run(w, [EngineScheme.Kivi(2)], TokenPlan.SampledFromReference(70, 4), AccuracyOrigin.Synthetic, "tiny", "synthetic", Config.VocabSize);
        var a = Once();
        var b = Once();
        Assert.AreEqual(a.ReferencePerplexity, b.ReferencePerplexity);
        Assert.AreEqual(a.Schemes[0].MeanKl, b.Schemes[0].MeanKl);
        Assert.AreEqual(a.Schemes[0].KRelError, b.Schemes[0].KRelError);
    }

    [TestMethod]
    public void SchemeNames_ParseOrFailWithOneLineEach()
    {
        var s = SyntheticModels.ParseSchemes("kivi:2,xquant-gqa:2,fp16first=1,fp16");
        Assert.HasCount(2, s);
        Assert.IsTrue(s[1].Fp16FirstChannel);
        var e = Assert.ThrowsExactly<InputException>(() => SyntheticModels.ParseSchemes("kivi:5,xquant-gqa:x"));
        Assert.HasCount(2, e.Errors);
    }

    [TestMethod]
    public void TokenFile_ReadsTextAndInt32_AndRejectsBadIds()
    {
        string dir = Path.Combine(Path.GetTempPath(), "xq-tok-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string txt = Path.Combine(dir, "t.txt");
            File.WriteAllText(txt, "# ids\n5\n\n7\n9\n");
            CollectionAssert.AreEqual(new[] { 5, 7, 9 }, TokenFile.Read(txt, 10, 100).ToArray());
            CollectionAssert.AreEqual(new[] { 5, 7 }, TokenFile.Read(txt, 10, 2).ToArray());
            string bin = Path.Combine(dir, "t.bin");
            File.WriteAllBytes(bin, [3, 0, 0, 0, 1, 1, 0, 0]);
            CollectionAssert.AreEqual(new[] { 3, 257 }, TokenFile.Read(bin, 300, 100).ToArray());
            var e = Assert.ThrowsExactly<InputException>(() => TokenFile.Read(txt, 8, 100));
            Assert.Contains("line 5", e.Errors.Single().ToString());
            File.WriteAllBytes(bin, [3, 0, 0]);
            Assert.Contains("multiple of 4", Assert.ThrowsExactly<InputException>(() => TokenFile.Read(bin, 300, 100)).Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
