using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Tests.Hardening;

namespace XQuant.Sim.Tests.Hardening2;

/// <summary>Every report that labels a profile's provenance also names the file it was read from.</summary>
[TestClass]
public sealed class ProfilePathTests
{
    private static string CopiedProfile(HardeningRun.Scratch s)
    {
        string path = s.Path("my-h100.json");
        File.Copy(Path.Combine(TestPaths.HardwareProfiles, "h100-sxm.json"), path);
        return path;
    }

    [TestMethod]
    public void ShippedProfiles_AreNamedRelativeToTheDataRoot_OtherFilesInFull()
    {
        Assert.AreEqual("hardware-profiles/h100-sxm.json", SourcePaths.Display(Path.Combine(TestPaths.HardwareProfiles, "h100-sxm.json")));
        Assert.AreEqual("hardware-profiles/nodes/dgx-h100.json", SourcePaths.Display(Path.Combine(TestPaths.HardwareProfiles, "nodes", "dgx-h100.json")));
        using var s = new HardeningRun.Scratch();
        string copy = CopiedProfile(s);
        Assert.AreEqual(copy, SourcePaths.Display(copy));
        Assert.AreEqual("xqsim calibrate", SourcePaths.Display("xqsim calibrate"));
        Assert.AreEqual("(built in)", SourcePaths.Display(""));
    }

    [TestMethod]
    public void LedgerAndBreakEven_PrintThePath()
    {
        using var s = new HardeningRun.Scratch();
        string copy = CopiedProfile(s);
        var (code, stdout, err) = HardeningRun.RunCli("ledger", "-m", "llama-2-7b", "-H", copy, "--scheme", "kivi:2");
        Assert.AreEqual(0, code, err);
        StringAssert.Contains(stdout, $"provenance: datasheet ({copy})");
        (code, stdout, err) = HardeningRun.RunCli("breakeven", "-m", "llama-2-7b", "-H", copy, "--scheme", "xquant:4");
        Assert.AreEqual(0, code, err);
        StringAssert.Contains(stdout, $"(datasheet, {copy})");
        (code, stdout, err) = HardeningRun.RunCli("breakeven", "-m", "llama-2-7b", "-H", "h100-sxm", "--scheme", "xquant:4");
        Assert.AreEqual(0, code, err);
        StringAssert.Contains(stdout, "(datasheet, hardware-profiles/h100-sxm.json)");
    }

    [TestMethod]
    public void CompareAndParetoReports_NameTheFileRead()
    {
        using var s = new HardeningRun.Scratch();
        string copy = CopiedProfile(s);
        string outDir = s.Path("compare");
        var (code, _, err) = HardeningRun.RunCli("compare", "-m", "llama-2-7b", "-H", $"{copy},h100-sxm", "-s", "fp16,kivi:2", "-c", "4096", "-o", outDir);
        Assert.AreEqual(0, code, err);
        string md = File.ReadAllText(Path.Combine(outDir, "report.md"));
        StringAssert.Contains(md, $"| {copy} |");
        StringAssert.Contains(md, "| hardware-profiles/h100-sxm.json |");
        string paretoDir = s.Path("pareto");
        (code, var stdout, err) = HardeningRun.RunCli("pareto", "-m", "llama-2-7b", "-H", copy, "-o", paretoDir);
        Assert.AreEqual(0, code, err);
        StringAssert.Contains(stdout, $"(datasheet, {copy})");
        StringAssert.Contains(File.ReadAllText(Path.Combine(paretoDir, "pareto.md")), $"datasheet profile `{copy}`");
    }

    [TestMethod]
    public void RunReport_NamesEachProfileFile()
    {
        using var s = new HardeningRun.Scratch();
        string copy = CopiedProfile(s);
        string scenario = s.Path("scn.json");
        File.WriteAllText(scenario, $$"""{"name": "paths", "models": ["llama-2-7b"], "hardware": ["{{copy}}", "h100-sxm"], "schemes": ["fp16"], "batch": [1], "context": [1024], "outputs": ["markdown"]}""");
        string outDir = s.Path("out");
        var (code, _, err) = HardeningRun.RunCli("run", scenario, "-o", outDir);
        Assert.AreEqual(0, code, err);
        string md = File.ReadAllText(Directory.GetFiles(outDir, "*.md", SearchOption.AllDirectories).Single(f => File.ReadAllText(f).Contains("| profile file |", StringComparison.Ordinal)));
        StringAssert.Contains(md, $"| {copy} |");
        StringAssert.Contains(md, "| hardware-profiles/h100-sxm.json |");
    }
}
