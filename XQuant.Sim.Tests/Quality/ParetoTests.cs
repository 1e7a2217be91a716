using XQuant.Sim.Studies.Quality;

namespace XQuant.Sim.Tests.Quality;

[TestClass]
public sealed class ParetoTests
{
    private static readonly IReadOnlyList<QualityPoint> Paper = PaperQuality.Load(Path.Combine(TestPaths.RepoRoot, "data", "paper-perplexity.csv"));

    [TestMethod]
    public void PaperData_LoadsEveryRow_WithItsSource()
    {
        Assert.AreEqual(88, Paper.Count); // every data row of the file
        Assert.IsTrue(Paper.All(p => p.Source == QualitySource.Paper));
        var x4 = Paper.Single(p => p is { Table: 1, Model: "llama-2-7b", Dataset: "wikitext2", Method: "xquant", Bits: 4 });
        Assert.AreEqual(5.54, x4.Perplexity);
    }

    [TestMethod]
    [DataRow(1, "llama-2-7b", "xquant", 4, "xquant:4")]
    [DataRow(4, "llama-2-7b", "xquant", 2, "xquant:2,first=3@4")]
    [DataRow(4, "llama-2-7b", "xquant-cl", 2, "xquant-cl:2")]
    [DataRow(1, "llama-3.1-8b", "xquant", 2, "xquant-gqa:2,window=0")]
    [DataRow(4, "llama-3.1-8b", "xquant-cl", 2, "xquant-cl-gqa:2")]
    [DataRow(4, "llama-2-7b", "kvquant", 2, "kivi:2,window=0,first=3@4")]
    [DataRow(1, "llama-2-7b", "kivi", 3, "kivi:3,window=0")]
    public void PaperRows_MapToTheSchemeTheyMeasured(int table, string model, string method, int bits, string spec)
    {
        var p = new QualityPoint(table, model, "wikitext2", method, bits, 6, QualitySource.Paper);
        Assert.AreEqual(spec, PaperQuality.SchemeSpec(p, TestData.Model(model)));
    }

    [TestMethod]
    public void Dominance_NeedsNoWorseInAllAndBetterInOne()
    {
        var study = ParetoStudy.Build(TestData.Model("llama-2-7b"), TestData.Hardware("h100-sxm"), Paper, "wikitext2", 1, 4096);
        var byLabel = study.Points.ToDictionary(p => p.Label);
        // KVQuant at the same size and time as KIVI* with first-3 layers at 4 bits, and lower perplexity: it dominates.
        Assert.IsTrue(Pareto.Dominates(byLabel["kvquant:2 (sized as kivi:2,window=0,first=3@4)"], byLabel["kivi:2,window=0,first=3@4"]));
        Assert.IsFalse(Pareto.Dominates(byLabel["kivi:2,window=0,first=3@4"], byLabel["kivi:2,window=0,first=3@4"]));
        // XQuant-CL 2-bit: the least memory at a small error: on the front. FP16: the least error and not slowest: on the front.
        int cl2 = study.Points.ToList().FindIndex(p => p.Label == "xquant-cl:2");
        Assert.IsTrue(study.Front[cl2]);
        for (int i = 0; i < study.Points.Count; i++)
        {
            bool dominated = study.Points.Any(q => Pareto.Dominates(q, study.Points[i]));
            Assert.AreEqual(!dominated, study.Front[i], study.Points[i].Label);
        }
    }

    [TestMethod]
    public void Pareto_WritesCsvMarkdownAndChart()
    {
        string dir = TestPaths.NewTempDir();
        using var o = new StringWriter();
        using var e = new StringWriter();
        int code = XQuant.Sim.Cli.CliApp.Run(["pareto", "-H", "h100-sxm", "-m", "llama-3.1-8b", "-c", "32768", "--out", dir], o, e);
        Assert.AreEqual(0, code, e.ToString());
        StringAssert.Contains(File.ReadAllText(Path.Combine(dir, "pareto.csv")), "paper, arXiv 2508.10395 table 4");
        byte[] png = File.ReadAllBytes(Path.Combine(dir, "pareto.png"));
        CollectionAssert.AreEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, png[..4]);
    }
}
