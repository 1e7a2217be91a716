using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Rendering.Export;
using XQuant.Sim.Rendering.Reports;
using XQuant.Sim.Studies.Comparison;
using XQuant.Sim.Studies.Scenarios;
using XQuant.Sim.Tests.Reports;

namespace XQuant.Sim.Tests.Concurrency;

/// <summary>Sweeps on N threads write the same bytes as on one: order never depends on the thread count.</summary>
[TestClass]
public sealed class ParallelSweepTests
{
    /// <summary>2,048 cases: 64 chunks of the default 32, so several are in flight on 3 threads.</summary>
    private const string SweepJson = """
        {
          "name": "threads",
          "models": ["llama-2-7b"],
          "hardware": ["h100-sxm", "rngd"],
          "schemes": ["fp16", "kivi:2", "xquant:4", "xquant-cl:2"],
          "weights": ["bf16", "int4"],
          "phase": ["decode", "prefill"],
          "batch": [1, 2, 4, 8, 16, 32, 64, 128],
          "context": [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536],
          "outputs": ["csv"]
        }
        """;

    [TestMethod]
    public void StreamedCsv_IsByteIdentical_On1And3Threads()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "s.json");
        File.WriteAllText(path, SweepJson);
        var scenario = ScenarioLoader.Load(path);
        Assert.AreEqual(2048, scenario.CaseCount);
        string one = Path.Combine(dir.Path, "one"), three = Path.Combine(dir.Path, "three");
        long progressed = 0;
        // The one-thread reference is the writer that existed before threads (rows formatted by the writer itself).
        CsvExporter.ExportStreaming(ScenarioRunner.Stream(scenario), one, detailOps: true);
        CsvExporter.ExportRendered(ScenarioRunner.Stream(scenario, c => CsvExporter.Render(c, detailOps: true), threads: 3, (done, _) => progressed = done), three, detailOps: true);
        Assert.AreEqual(2048, progressed);
        foreach (string name in new[] { "cases.csv", "ops.csv" })
        {
            byte[] a = File.ReadAllBytes(Path.Combine(one, name));
            Assert.IsGreaterThan(2048 * 50, a.Length, name);
            CollectionAssert.AreEqual(a, File.ReadAllBytes(Path.Combine(three, name)), name);
        }
    }

    [TestMethod]
    public void InMemoryRun_IsTheSame_On1And3Threads()
    {
        var s = ScenarioLoader.Load(Path.Combine(TestPaths.Scenarios, "quickstart.json"));
        var a = ScenarioRunner.Run(s, threads: 1, detailOps: true);
        var b = ScenarioRunner.Run(s, threads: 3, detailOps: true);
        Assert.AreEqual(MarkdownExporter.Render(a), MarkdownExporter.Render(b));
    }

    [TestMethod]
    public void Compare_IsByteIdentical_On1And3Threads()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        OutputSet.Write(a.Path, CompareReport.Files(CompareStudy.Run(ReportFixtures.SmallRequest(), threads: 1)));
        OutputSet.Write(b.Path, CompareReport.Files(CompareStudy.Run(ReportFixtures.SmallRequest(), threads: 3)));
        foreach (string name in new[] { "report.md", "report.csv" })
        {
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(a.Path, name)), File.ReadAllBytes(Path.Combine(b.Path, name)), name);
        }
    }

    [TestMethod]
    public void RunCommand_StreamedSweep_WritesTheSameBytes_On1And2Threads()
    {
        // 20,480 cases: just above the streaming threshold, so the CLI takes the streamed path with rows formatted on workers.
        const string json = """
            {
              "name": "threads-cli",
              "models": ["llama-2-7b"],
              "hardware": ["h100-sxm", "h200", "b200", "rngd"],
              "schemes": ["fp16", "kivi:4", "kivi:2", "xquant:4", "xquant-cl:2"],
              "weights": ["bf16", "fp8", "int8", "int4"],
              "phase": ["decode", "prefill"],
              "batch": [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256],
              "context": [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536],
              "outputs": ["csv"]
            }
            """;
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "s.json");
        File.WriteAllText(path, json);
        string one = Path.Combine(dir.Path, "one"), two = Path.Combine(dir.Path, "two");
        var a = ReportFixtures.Cli("run", path, "--threads", "1", "-o", one);
        var b = ReportFixtures.Cli("run", path, "--threads", "2", "-o", two);
        Assert.AreEqual(0, a.Code, a.Err);
        Assert.AreEqual(0, b.Code, b.Err);
        Assert.Contains("20480 cases costed", a.Out);
        Assert.Contains("on 2 threads", b.Out);
        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(one, "cases.csv")), File.ReadAllBytes(Path.Combine(two, "cases.csv")));
    }

    [TestMethod]
    [DataRow("0")]
    [DataRow("-1")]
    [DataRow("1025")]
    [DataRow("two")]
    public void BadThreads_IsOneLine_Exit2_NoOutput(string value)
    {
        using var dir = new TempDir();
        string outDir = Path.Combine(dir.Path, "out");
        var (code, _, err) = ReportFixtures.Cli("run", "scenarios/quickstart.json", "--threads", value, "-o", outDir);
        Assert.AreEqual(2, code, err);
        Assert.Contains("--threads", err);
        Assert.HasCount(1, err.Trim().Split('\n'), err);
        Assert.IsFalse(Directory.Exists(outDir));
    }
}
