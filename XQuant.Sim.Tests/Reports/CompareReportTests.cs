using System.Globalization;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Rendering.Charts;
using XQuant.Sim.Rendering.Reports;
using XQuant.Sim.Rendering.Tables;
using XQuant.Sim.Studies.Comparison;

namespace XQuant.Sim.Tests.Reports;

[TestClass]
public sealed class CompareReportTests
{
    private static string RenderMarkdown()
    {
        var result = ReportFixtures.SmallResult;
        var doc = CompareReport.Document(result, ChartSet.For(result.ChartCases, CompareReport.Focus(result)));
        return doc.ToMarkdown(f => $"charts/{f.Name}.png");
    }

    /// <summary>Set XQSIM_UPDATE_GOLDEN=1 to rewrite the golden file after an intended change, then review the diff.</summary>
    [TestMethod]
    public void Markdown_MatchesGoldenFile()
    {
        string actual = RenderMarkdown();
        string path = Path.Combine(TestPaths.Golden, "compare-report.md");
        if (Environment.GetEnvironmentVariable("XQSIM_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
        }
        Assert.IsTrue(File.Exists(path), $"golden file missing: {path} (run with XQSIM_UPDATE_GOLDEN=1)");
        string expected = File.ReadAllText(path);
        Assert.AreEqual(expected, actual, "compare report differs from Golden/compare-report.md; if intended, rerun with XQSIM_UPDATE_GOLDEN=1");
    }

    [TestMethod]
    public void Markdown_HasNoAbsolutePathsAndNamesProvenance()
    {
        string md = RenderMarkdown();
        Assert.DoesNotContain(TestPaths.RepoRoot, md);
        Assert.Contains("## Assumptions", md);
        Assert.Contains("https://", md);
        Assert.Contains("datasheet", md);
        Assert.Contains("warboy has no bf16 rate", md);
        Assert.Contains("## Verdict per device", md);
        Assert.Contains("Break-even, `xquant:4`", md);
        Assert.Contains("![", md);
    }

    [TestMethod]
    [DataRow("de-DE")]
    [DataRow("ru-RU")]
    public void Reports_AreCultureInvariant(string culture)
    {
        var saved = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        string invariant = RenderMarkdown();
        string csvInvariant = CsvOf(ReportFixtures.SmallResult);
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo(culture);
            CultureInfo.CurrentUICulture = new CultureInfo(culture);
            Assert.AreEqual("1,5", 1.5.ToString(CultureInfo.CurrentCulture), "the culture under test must use a decimal comma");
            string md = RenderMarkdown();
            Assert.AreEqual(invariant, md);
            Assert.AreEqual(csvInvariant, CsvOf(ReportFixtures.SmallResult));
            Assert.AreEqual("1.5", Formats.Fixed(1.5, 1));
            Assert.AreEqual("1.500", Formats.Sig(1.5));
            Assert.Contains("| 0.133 |", NormTable());
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = saved;
        }
    }

    private static string NormTable() => TextTable.Build(CaseTable.ReadableColumns, ReportFixtures.SmallResult.Cases).ToMarkdown();

    private static string CsvOf(CompareResult r) => CsvOutput.ToCsv(TextTable.Build(CaseTable.CsvColumns, r.Cases));

    [TestMethod]
    public void Write_IsByteIdenticalAcrossRuns_AndHtmlIsSelfContained()
    {
        string a = TestPaths.NewTempDir(), b = TestPaths.NewTempDir();
        OutputSet.Write(a, CompareReport.Files(ReportFixtures.SmallResult));
        OutputSet.Write(b, CompareReport.Files(CompareStudy.Run(ReportFixtures.SmallRequest())));
        foreach (string name in new[] { "report.md", "report.html", "report.csv" })
        {
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(a, name)), File.ReadAllBytes(Path.Combine(b, name)), name);
        }
        string html = File.ReadAllText(Path.Combine(a, "report.html"));
        Assert.Contains("data:image/png;base64,", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("src=\"http", html);
        Assert.DoesNotContain(a, html);
        var md = File.ReadAllText(Path.Combine(a, "report.md"));
        foreach (string png in Directory.GetFiles(Path.Combine(a, "charts")))
        {
            Assert.Contains("charts/" + Path.GetFileName(png), md);
        }
        Assert.IsEmpty(Directory.GetFiles(a, "*.tmp", SearchOption.AllDirectories), "temporary files left behind");
    }

    [TestMethod]
    public void CompareCommand_WritesThreeReportsAndCharts()
    {
        string dir = TestPaths.NewTempDir();
        var (code, o, e) = ReportFixtures.Cli("compare", "--hardware", "h100-sxm,rngd", "--model", "llama-3.1-8b", "--schemes", "fp16,kivi:2,xquant-gqa:2", "--context", "4096,8k", "--out", dir);
        Assert.AreEqual(0, code, e);
        foreach (string name in new[] { "report.md", "report.html", "report.csv" })
        {
            Assert.IsTrue(File.Exists(Path.Combine(dir, name)), name);
            Assert.Contains(Path.Combine(dir, name), o);
        }
        Assert.IsTrue(File.Exists(Path.Combine(dir, "charts", "roofline-h100-sxm.png")));
        Assert.IsTrue(File.Exists(Path.Combine(dir, "charts", "capacity-8192.png")));
    }

    [TestMethod]
    public void CompareCommand_BadInput_OneLinePerProblem_Exit2_NoOutput()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "never");
        var (code, _, e) = ReportFixtures.Cli("compare", "--hardware", "h100-sxm,nope", "--model", "llama-2-7b", "--out", dir);
        Assert.AreEqual(2, code);
        Assert.Contains("hardware 'nope' not found", e);
        Assert.IsFalse(Directory.Exists(dir));
    }
}
