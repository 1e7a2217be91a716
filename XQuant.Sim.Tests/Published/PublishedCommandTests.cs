using System.Text.RegularExpressions;
using static XQuant.Sim.Tests.Published.PublishedTestRows;

namespace XQuant.Sim.Tests.Published;

[TestClass]
public sealed partial class PublishedCommandTests
{
    [GeneratedRegex(@"^published: (\d+) of (\d+) scored; datasheet median \|err\| \d+\.\d%, P90 \d+\.\d%; fitted median \|err\| \d+\.\d%, P90 \d+\.\d%$")]
    private static partial Regex LastLine();

    [TestMethod]
    public void Score_ShippedRows_WritesTheThreeFiles_AndEndsWithTheSummaryLine()
    {
        using var dir = new TempDir();
        var (code, output, err) = TestCli.Run("published", "score", ShippedCsv, "--efficiency", Path.Combine(TestPaths.RepoRoot, "data", "efficiency.json"), "--out", dir.Path);
        Assert.AreEqual(0, code, err);
        string last = output.TrimEnd('\n').Split('\n')[^1];
        var m = LastLine().Match(last);
        Assert.IsTrue(m.Success, last);
        Assert.AreEqual("38", m.Groups[2].Value);
        Assert.IsTrue(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 31, last);
        var csv = File.ReadAllLines(Path.Combine(dir.Path, "scores.csv"));
        Assert.AreEqual("id,hardware,engine,metric,measured,predicted_datasheet,predicted_fitted,error_datasheet_pct,error_fitted_pct,status", csv[0]);
        Assert.AreEqual(39, csv.Length, "every row is listed, scored or not");
        StringAssert.Contains(string.Join('\n', csv), "MLP41-01,h100-sxm,tensorrt-llm,output_tok_per_s,24524.9,,,,,unsupported: max-throughput row without input and output lengths");
        StringAssert.Contains(File.ReadAllText(Path.Combine(dir.Path, "summary.md")), "device a100-pcie-80gb");
        Assert.IsTrue(new FileInfo(Path.Combine(dir.Path, "predicted-vs-measured.png")).Length > 10_000);
    }

    [TestMethod]
    public void Score_MalformedRow_ExitsTwo_OneLine_NothingWritten()
    {
        using var dir = new TempDir();
        string csv = Path.Combine(dir.Path, "bad.csv");
        File.WriteAllText(csv, Header + "\nX-1,h100-sxm,1,llama-3.1-8b,fp8,8.0,fp8,tensorrt-llm,TRT,max-throughput,,,128,128,output_tok_per_s,-3,src,,\n");
        string outDir = Path.Combine(dir.Path, "out");
        var (code, output, err) = TestCli.Run("published", "score", csv, "--out", outDir);
        Assert.AreEqual(2, code);
        Assert.AreEqual($"{csv}: row 1 (X-1), column value: '-3' must be a positive finite number", err.TrimEnd('\n'));
        Assert.AreEqual("", output);
        Assert.IsFalse(Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any());
    }

    [TestMethod]
    public void Fit_WritesAFileTheScoreCommandReads_AndPrintsLeaveOneOut()
    {
        using var dir = new TempDir();
        string eff = Path.Combine(dir.Path, "eff.json");
        var (code, output, err) = TestCli.Run("published", "fit", ShippedCsv, "--out", eff);
        Assert.AreEqual(0, code, err);
        StringAssert.Contains(output, "loo_median_abs_err_pct");
        StringAssert.Matches(output, new Regex(@"fit: \d+ rows; in-sample median \|err\| [\d.]+%, P90 [\d.]+%; leave-one-out median \|err\| [\d.]+%, P90 [\d.]+%"));
        // The shipped file is this fit's output: refitting the shipped rows reproduces it.
        Assert.AreEqual(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "data", "efficiency.json")), File.ReadAllText(eff).Replace(dir.Path + "/", "", StringComparison.Ordinal));
        var (scoreCode, _, scoreErr) = TestCli.Run("published", "score", ShippedCsv, "--efficiency", eff, "--out", Path.Combine(dir.Path, "s"));
        Assert.AreEqual(0, scoreCode, scoreErr);
    }

    [TestMethod]
    public void Ledger_SaysWhichEngineItUsed()
    {
        var (code, output, err) = TestCli.Run("ledger", "-H", "h100-sxm", "-m", "llama-3.1-8b", "--engine", "vllm");
        Assert.AreEqual(0, code, err);
        StringAssert.Contains(output, "provenance: engine-fitted");
        StringAssert.Contains(output, "engine: vllm (engine-fitted: DRAM bandwidth x");
        var (dsCode, ds, _) = TestCli.Run("ledger", "-H", "h100-sxm", "-m", "llama-3.1-8b");
        Assert.AreEqual(0, dsCode);
        StringAssert.Contains(ds, "engine: datasheet (no engine efficiency applied)");
        var (badCode, _, badErr) = TestCli.Run("ledger", "-H", "h100-sxm", "-m", "llama-3.1-8b", "--engine", "nope");
        Assert.AreEqual(2, badCode);
        StringAssert.StartsWith(badErr, "--engine: 'nope' is not in ");
    }

    [TestMethod]
    public void Run_WithEngine_CostsOnEngineFittedProfiles_AndSaysSo()
    {
        using var dir = new TempDir();
        var (code, output, err) = TestCli.Run("run", Path.Combine(TestPaths.Scenarios, "quickstart.json"), "--engine", "tensorrt-llm", "--out", dir.Path);
        Assert.AreEqual(0, code, err);
        StringAssert.Contains(output, "h100-sxm: engine: tensorrt-llm (engine-fitted:");
        StringAssert.Contains(output, "on h100-sxm (engine-fitted), rngd (engine-fitted) profiles");
        StringAssert.Contains(File.ReadAllText(Path.Combine(dir.Path, "cases.csv")), ",engine-fitted");
    }
}
