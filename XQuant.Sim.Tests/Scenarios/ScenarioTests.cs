using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Rendering.Export;
using XQuant.Sim.Studies.Scenarios;

namespace XQuant.Sim.Tests.Scenarios;

[TestClass]
public sealed class ScenarioTests
{
    private static string Write(string json)
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "s.json");
        File.WriteAllText(path, json);
        return path;
    }

    [TestMethod]
    public void EveryProblem_IsReportedAtOnce_WithFileAndField()
    {
        string path = Write("""
        {
          "name": "bad",
          "models": ["llama-2-7b", "no-such-model"],
          "hardware": ["h100-sxm", "h101"],
          "schemes": ["fp16", "xquant:5", "nope"],
          "batch": [1, 0, -3],
          "context": [4096, 1.5],
          "phase": ["decode", "train"],
          "colour": "blue"
        }
        """);
        var e = Assert.ThrowsExactly<InputException>(() => ScenarioLoader.Load(path));
        string all = string.Join("\n", e.Errors);
        StringAssert.Contains(all, "models[1]");
        StringAssert.Contains(all, "no-such-model");
        StringAssert.Contains(all, "hardware[1]");
        StringAssert.Contains(all, "available: a100-pcie-80gb, a100-sxm-80gb");
        StringAssert.Contains(all, "schemes[1]");
        StringAssert.Contains(all, "schemes[2]");
        StringAssert.Contains(all, "batch[1]");
        StringAssert.Contains(all, "batch[2]");
        StringAssert.Contains(all, "context[1]");
        StringAssert.Contains(all, "phase[1]");
        StringAssert.Contains(all, "colour: unknown key");
        Assert.IsTrue(e.Errors.All(x => x.Source.Contains("s.json", StringComparison.Ordinal)), all);
        Assert.AreEqual(9, e.Errors.Count, all);
    }

    [TestMethod]
    public void Expand_IsInAFixedOrder_AndCountsEveryCase()
    {
        var s = ScenarioLoader.Load(Path.Combine(TestPaths.Scenarios, "quickstart.json"));
        var cases = s.Expand().ToList();
        Assert.AreEqual(s.CaseCount, cases.Count);
        Assert.AreEqual("llama-2-7b", cases[0].Model.Id);
        Assert.AreEqual("h100-sxm", cases[0].Hardware.Id);
        Assert.AreEqual("fp16", cases[0].Scheme.Spec);
        Assert.AreEqual("kivi:4", cases[1].Scheme.Spec);
    }

    [TestMethod]
    public void Run_IsDeterministic_ByteForByte()
    {
        var s = ScenarioLoader.Load(Path.Combine(TestPaths.Scenarios, "quickstart.json"));
        var a = ScenarioRunner.Run(s, detailOps: true);
        var b = ScenarioRunner.Run(s, detailOps: true);
        Assert.AreEqual(MarkdownExporter.Render(a), MarkdownExporter.Render(b));
        string dirA = TestPaths.NewTempDir(), dirB = TestPaths.NewTempDir();
        OutputSet.Write(dirA, CsvExporter.Default.Files(a));
        OutputSet.Write(dirB, CsvExporter.Default.Files(b));
        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(dirA, "ops.csv")), File.ReadAllBytes(Path.Combine(dirB, "ops.csv")));
        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(dirA, "cases.csv")), File.ReadAllBytes(Path.Combine(dirB, "cases.csv")));
    }

    [TestMethod]
    public void Csv_HasSnakeCaseHeadersAndBareNumbers()
    {
        var s = ScenarioLoader.Load(Path.Combine(TestPaths.Scenarios, "quickstart.json"));
        string dir = TestPaths.NewTempDir();
        OutputSet.Write(dir, CsvExporter.Default.Files(ScenarioRunner.Run(s)));
        string[] lines = File.ReadAllLines(Path.Combine(dir, "cases.csv"));
        Assert.AreEqual(s.CaseCount + 1, lines.Length);
        StringAssert.StartsWith(lines[0], "model,hardware,provenance,scheme,weights,phase,batch,context_tokens,cache_bytes");
        StringAssert.StartsWith(lines[1], "llama-2-7b,h100-sxm,datasheet,fp16,bf16,decode,1,1024,536870912,1,");
    }
}
