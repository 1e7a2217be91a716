using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Studies.Scenarios;

namespace XQuant.Sim.Tests.Serving;

[TestClass]
public sealed class ServingScenarioTests
{
    private const string Head = """
        { "name": "s", "models": ["llama-3.1-8b"], "hardware": ["h100-sxm"], "schemes": ["fp16", "kivi:2"],
          "batch": [1], "context": [1024], "outputs": ["csv"],
        """;

    [TestMethod]
    public void ShippedServingScenario_Loads()
    {
        var s = ScenarioLoader.Load(Path.Combine(TestPaths.Scenarios, "serving.json"));
        Assert.IsNotNull(s.Serving);
        Assert.IsTrue(s.Serving.MaxRate);
        CollectionAssert.AreEqual(new[] { 2.0, 5, 10, 20 }, s.Serving.Rates.ToArray());
        Assert.IsTrue(s.Hardware.Any(h => h.Id == "rngd"));
    }

    [TestMethod]
    public void BadServingBlock_EveryProblemNamedWithItsField()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "bad.json");
        File.WriteAllText(path, Head + """ "serving": { "rates": [-1], "concurrency": 4, "max_rate": true, "percentile": 95, "burst": 1, "input_tokens": 131000 } }""");
        var e = Assert.ThrowsExactly<InputException>(() => ScenarioLoader.Load(path));
        var fields = e.Errors.Select(x => x.Field).ToList();
        foreach (string expected in new[] { "serving.rates[0]", "serving.percentile", "serving.burst", "serving.max_rate", "serving.input_tokens" })
        {
            Assert.IsTrue(fields.Contains(expected), $"{expected} not in: {string.Join("; ", e.Errors)}");
        }
    }

    [TestMethod]
    public void Run_WritesAServingFolderPerModelAndDevice()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "s.json");
        File.WriteAllText(path, Head + """ "serving": { "input_tokens": 256, "output_tokens": 16, "requests": 40, "rates": [4] } }""");
        string outDir = Path.Combine(dir.Path, "out");
        var (code, stdout, err) = TestCli.Run("run", path, "-o", outDir);
        Assert.AreEqual(0, code, err);
        StringAssert.Contains(stdout, "serving: llama-3.1-8b on h100-sxm, bf16 weights, 40 requests of 256 in / 16 out, Poisson at 4.000 req/s:");
        string caseDir = Path.Combine(outDir, "serving", "llama-3.1-8b-h100-sxm-bf16");
        Assert.AreEqual(1 + 2 * 40, File.ReadAllLines(Path.Combine(caseDir, "requests.csv")).Length);
        Assert.IsTrue(File.Exists(Path.Combine(caseDir, "summary.md")));
        Assert.IsFalse(Directory.Exists(Path.Combine(caseDir, "charts")), "charts only when the scenario asks for them");
    }
}
