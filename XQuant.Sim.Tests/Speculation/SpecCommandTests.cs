using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Studies.Scenarios;

namespace XQuant.Sim.Tests.Speculation;

[TestClass]
public sealed class SpecCommandTests
{
    private const string Head = """{ "name": "s", "models": ["llama-3.1-8b"], "hardware": ["h100-sxm"], "schemes": ["xquant-gqa:4"], "batch": [2], "context": [4096], """;

    [TestMethod]
    public void Scenario_SpecField_ReachesEveryCase_KZeroIsPlain()
    {
        using var dir = new TempDir();
        string plainPath = Path.Combine(dir.Path, "plain.json");
        string specPath = Path.Combine(dir.Path, "spec.json");
        string k0Path = Path.Combine(dir.Path, "k0.json");
        File.WriteAllText(plainPath, Head + """ "outputs": ["csv"] }""");
        File.WriteAllText(specPath, Head + """ "spec": "k=3,accept=0.75,draft=llama-3.2-1b", "outputs": ["csv"] }""");
        File.WriteAllText(k0Path, Head + """ "spec": "k=0,accept=0.75", "outputs": ["csv"] }""");
        var spec = ScenarioLoader.Load(specPath);
        var w = spec.Expand().Single();
        Assert.AreEqual(3, w.Speculation!.DraftTokens);
        Assert.AreEqual("llama-3.2-1b", w.Speculation.DraftModel!.Id);
        var plain = CaseCoster.Cost(ScenarioLoader.Load(plainPath).Expand().Single());
        var k0 = CaseCoster.Cost(ScenarioLoader.Load(k0Path).Expand().Single());
        Assert.AreEqual(plain.TokensPerSecOverlapped, k0.TokensPerSecOverlapped, 0.0);
        Assert.AreEqual(plain.Step.OverlappedSec, k0.Step.OverlappedSec, 0.0);
        var c = CaseCoster.Cost(w);
        Assert.AreEqual(2 / c.Speculation!.PerTokenOverlappedSec, c.TokensPerSecOverlapped, 1e-9);
        Assert.IsTrue(c.Notes.Any(n => n.StartsWith("speculative decoding k=3,accept=0.75,draft=llama-3.2-1b", StringComparison.Ordinal)));
        // The CSV carries the per-token throughput and says why in the notes.
        string outDir = Path.Combine(dir.Path, "out");
        var (code, _, err) = TestCli.Run("run", specPath, "-o", outDir);
        Assert.AreEqual(0, code, err);
        string csv = File.ReadAllText(Directory.GetFiles(outDir, "*.csv", SearchOption.AllDirectories).First());
        StringAssert.Contains(csv, "speculative decoding k=3");
    }

    [TestMethod]
    public void Scenario_BadSpec_NamesFileAndField()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "bad.json");
        File.WriteAllText(path, Head + """ "spec": "k=-2,accept=1.5", "moe_routing": "zipf=1" }""");
        var e = Assert.ThrowsExactly<InputException>(() => ScenarioLoader.Load(path));
        Assert.AreEqual(3, e.Errors.Count, string.Join("\n", e.Errors));
        Assert.IsTrue(e.Errors.All(x => x.Source == path));
        Assert.AreEqual(2, e.Errors.Count(x => x.Field == "spec"));
        Assert.AreEqual(1, e.Errors.Count(x => x.Field == "moe_routing"));
        File.WriteAllText(path, Head + """ "spec": "k=2,accept=0.5", "serving": { "input_tokens": 256, "output_tokens": 16, "requests": 4, "rates": [4] } }""");
        var s = ScenarioLoader.Load(path);
        Assert.IsNotNull(s.Serving, "spec and serving together load (the serving simulation models speculation)");
        Assert.AreEqual(2, s.Speculation.Values.Single().DraftTokens);
    }

    [TestMethod]
    public void Compare_Spec_PerTokenColumns()
    {
        using var dir = new TempDir();
        var (code, _, err) = TestCli.Run("compare", "-H", "h100-sxm", "-m", "llama-3.1-8b", "-s", "fp16,xquant-gqa:4", "-c", "4096", "--spec", "k=4,accept=0.7", "-o", dir.Path);
        Assert.AreEqual(0, code, err);
        string md = File.ReadAllText(Path.Combine(dir.Path, "report.md"));
        StringAssert.Contains(md, "Speculative decoding `k=4,accept=0.7`");
        var (bad, o, e) = TestCli.Run("compare", "-H", "h100-sxm", "-m", "llama-3.1-8b", "--spec", "k=4", "-o", Path.Combine(dir.Path, "x"));
        Assert.AreEqual(2, bad);
        Assert.AreEqual("--spec: accept is required (grammar: k=K,accept=A[,draft=MODEL|mtp])", e.Trim());
        Assert.IsFalse(Directory.Exists(Path.Combine(dir.Path, "x")));
        Assert.AreEqual("", o);
    }

    [TestMethod]
    public void SpecSweep_ExpandsKOuterAcceptInner_AndBreakEvenPrintsTheTable()
    {
        var m = TestData.Model("llama-3.1-8b");
        var list = SpecDecodingText.ParseSweep("k=0/2,accept=0.5/0.9,draft=mtp", m, "--spec");
        CollectionAssert.AreEqual(new[] { "k=0,accept=0.5,draft=mtp", "k=0,accept=0.9,draft=mtp", "k=2,accept=0.5,draft=mtp", "k=2,accept=0.9,draft=mtp" }, list.Select(s => s.Spec).ToList());
        var (code, o, err) = TestCli.Run("breakeven", "-H", "rngd", "-m", "llama-2-7b", "--scheme", "xquant:4", "-c", "32k", "--spec", "k=0/4,accept=0.6/0.8");
        Assert.AreEqual(0, code, err);
        var rows = o.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| k", StringComparison.Ordinal)).ToList();
        Assert.AreEqual(4, rows.Count, o);
        // a does not move a crossover between schemes: both divide by the same E (and pay the same draft).
        Assert.AreEqual(rows[2].Split('|')[5], rows[3].Split('|')[5]);
        Assert.AreEqual(rows[2].Split('|')[4], rows[3].Split('|')[4]);
    }

    [TestMethod]
    public void PaysIntervals_FromCrossovers()
    {
        var x = new List<Crossover> { new(CrossoverAxis.ContextTokens, 100, true), new(CrossoverAxis.ContextTokens, 200, false) };
        CollectionAssert.AreEqual(new[] { (1.0, 100.0), (201.0, double.PositiveInfinity) }, SpecBreakEvenRow.PaysIntervals(x, true).ToList());
        Assert.AreEqual(0, SpecBreakEvenRow.PaysIntervals([], false).Count);
        CollectionAssert.AreEqual(new[] { (1.0, double.PositiveInfinity) }, SpecBreakEvenRow.PaysIntervals([], true).ToList());
    }
}
