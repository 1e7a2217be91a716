using static XQuant.Sim.Tests.TestCli;

namespace XQuant.Sim.Tests.Parallelism;

/// <summary>The device plan in run and compare outputs (added only when a plan is given), and nodes in `xqsim profiles`.</summary>
[TestClass]
public sealed class ParallelOutputTests
{
    [TestMethod]
    public void Profiles_ListsEveryNode_WithDevicesLinkTopologyAndSource()
    {
        var (code, output, err) = Run("profiles");
        Assert.AreEqual(0, code, err);
        var lines = output.Split('\n');
        var dgx = lines.Single(l => l.StartsWith("dgx-h100 ", StringComparison.Ordinal));
        foreach (string cell in new[] { " 8 ", "h100-sxm", "NVLink 4 via 4 NVSwitch", "900.0", "switch", "default", "https://docs.nvidia.com/dgx/" })
        {
            StringAssert.Contains(dgx, cell);
        }
        StringAssert.Contains(lines.Single(l => l.StartsWith("rngd-8 ", StringComparison.Ordinal)), "pcie");
        StringAssert.Contains(lines.Single(l => l.StartsWith("tpu-v5e-8 ", StringComparison.Ordinal)), "torus");
        StringAssert.Contains(output, "6 nodes in ");
        // The one sourced latency: AMD's 34.13 us 8-byte RCCL all-reduce on 8 MI300X over the ring's 14 steps.
        StringAssert.Contains(lines.Single(l => l.StartsWith("mi300x-8 ", StringComparison.Ordinal)), " 2.438 ");
        var link = Domain.Parallelism.Link.From(Domain.Hardware.NodeProfileLoader.Load(Path.Combine(TestPaths.HardwareProfiles, "nodes", "mi300x-8.json")).Interconnect)!;
        Assert.IsFalse(link.LatencyIsDefault);
        Assert.AreEqual(34.13e-6 / 14, link.LatencySec, 1e-9);
    }

    [TestMethod]
    public void Run_WithTp_AddsThePlanColumns_AndTheDeploymentLine()
    {
        using var dir = new TempDir();
        string file = Path.Combine(dir.Path, "tp.json");
        File.WriteAllText(file, """{"name": "tp", "models": ["llama-2-70b"], "hardware": ["dgx-h100"], "schemes": ["fp16"], "batch": [16], "context": [4096], "tp": 8, "pp": 1}""");
        string outDir = Path.Combine(dir.Path, "out");
        var (code, _, err) = Run("run", file, "--out", outDir, "--detail", "ops");
        Assert.AreEqual(0, code, err);
        var cases = File.ReadAllLines(Path.Combine(outDir, "cases.csv"));
        StringAssert.StartsWith(cases[0], "model,hardware,tp,pp,devices,link,provenance,");
        StringAssert.StartsWith(cases[1], "llama-2-70b,dgx-h100,8,1,8,\"NVLink 4 via 4 NVSwitch");
        StringAssert.StartsWith(File.ReadLines(Path.Combine(outDir, "ops.csv")).First(), "model,hardware,tp,pp,scheme,");
        string md = File.ReadAllText(Path.Combine(outDir, "summary.md"));
        StringAssert.Contains(md, "- Deployment: TP 8 x PP 1 per case;");
        StringAssert.Contains(md, "| tp | pp | scheme |");
    }

    [TestMethod]
    public void Run_OnOneDevice_HasNoPlanColumns()
    {
        using var dir = new TempDir();
        string file = Path.Combine(dir.Path, "one.json");
        File.WriteAllText(file, """{"name": "one", "models": ["llama-2-7b"], "hardware": ["h100-sxm"], "schemes": ["fp16"], "batch": [1], "context": [1024]}""");
        string outDir = Path.Combine(dir.Path, "out");
        var (code, _, err) = Run("run", file, "--out", outDir);
        Assert.AreEqual(0, code, err);
        StringAssert.StartsWith(File.ReadLines(Path.Combine(outDir, "cases.csv")).First(), "model,hardware,provenance,");
        Assert.IsFalse(File.ReadAllText(Path.Combine(outDir, "summary.md")).Contains("Deployment", StringComparison.Ordinal));
    }

    [TestMethod]
    public void Compare_WithTp_ShowsThePlanInTablesCsvAndAssumptions()
    {
        using var dir = new TempDir();
        string outDir = Path.Combine(dir.Path, "out");
        var (code, _, err) = Run("compare", "-m", "llama-3.1-70b", "-H", "dgx-h100", "-s", "fp16,kivi:2", "--tp", "8", "-b", "16", "-c", "4096", "-o", outDir);
        Assert.AreEqual(0, code, err);
        string md = File.ReadAllText(Path.Combine(outDir, "report.md"));
        StringAssert.Contains(md, "Deployment: **TP 8 x PP 1** = 8 devices per replica");
        StringAssert.Contains(md, "| hardware | tp | pp | scheme | ms_per_token |");
        StringAssert.Contains(md, "| dgx-h100 | 8 | 1 | fp16 |");
        StringAssert.Contains(md, "hardware-profiles/nodes/dgx-h100.json (device h100-sxm)");
        StringAssert.StartsWith(File.ReadLines(Path.Combine(outDir, "report.csv")).First(), "model,hardware,tp,pp,devices,link,");
    }
}
