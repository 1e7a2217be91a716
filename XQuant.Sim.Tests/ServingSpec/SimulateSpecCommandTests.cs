using XQuant.Sim.Studies.Scenarios;

namespace XQuant.Sim.Tests.ServingSpec;

[TestClass]
public sealed class SimulateSpecCommandTests
{
    private static readonly string[] Base = ["simulate", "-H", "h100-sxm", "-m", "llama-3.1-8b", "--charts", "none", "-n", "24", "--input", "200..400", "--output", "8..40"];

    private static (int Code, string Out, string Err) Run(params string[] args) => TestCli.Run([.. Base, .. args]);

    private static Dictionary<string, byte[]> Files(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(dir, f), File.ReadAllBytes);

    private static void SameFiles(string a, string b)
    {
        var x = Files(a);
        var y = Files(b);
        CollectionAssert.AreEquivalent(x.Keys.ToList(), y.Keys.ToList());
        foreach (var (name, bytes) in x)
        {
            CollectionAssert.AreEqual(bytes, y[name], name);
        }
    }

    [TestMethod]
    public void K0_WritesTheSameBytesAsNoSpec()
    {
        using var dir = new TempDir();
        string plain = Path.Combine(dir.Path, "plain"), k0 = Path.Combine(dir.Path, "k0");
        Assert.AreEqual(0, Run("-s", "fp16,xquant-gqa:4", "--rate", "8", "-o", plain).Code);
        var (code, _, err) = Run("-s", "fp16,xquant-gqa:4", "--rate", "8", "-o", k0, "--spec", "k=0,accept=0.8,draft=llama-3.2-1b");
        Assert.AreEqual(0, code, err);
        SameFiles(plain, k0);
        Assert.AreEqual(Run("--rate", "8", "--json").Out, Run("--rate", "8", "--json", "--spec", "k=0,accept=0.5").Out);
    }

    [TestMethod]
    public void Threads1And2_SameBytes_AndSpecIsStated()
    {
        using var dir = new TempDir();
        string one = Path.Combine(dir.Path, "t1"), two = Path.Combine(dir.Path, "t2");
        string[] args = ["-s", "fp16,xquant-gqa:4", "--rate", "4,12", "--spec", "k=3,accept=0.7,draft=llama-3.2-1b"];
        var (code, stdout, err) = Run([.. args, "--threads", "1", "-o", one]);
        Assert.AreEqual(0, code, err);
        Assert.AreEqual(0, Run([.. args, "--threads", "2", "-o", two]).Code);
        SameFiles(one, two);
        StringAssert.Contains(stdout, "Speculative decoding k=3,accept=0.7,draft=llama-3.2-1b: k = 3, a = 0.7, E = (1 - a^(k+1)) / (1 - a) = 2.533");
        StringAssert.Contains(stdout, "accept RNG: System.Random from seed 1");
        StringAssert.Contains(stdout, "- draft weights 2.30 GiB");
        string md = File.ReadAllText(Path.Combine(one, "summary.md"));
        StringAssert.Contains(md, "draft model llama-3.2-1b");
        string header = File.ReadLines(Path.Combine(one, "summary.csv")).First();
        StringAssert.EndsWith(header, ",verify_steps,tokens_per_verify_step,draft_busy_share");
    }

    [TestMethod]
    public void Json_CarriesTheSpeculation_OnlyWhenGiven_AndMatchesTheSchema()
    {
        var (code, json, err) = Run("--rate", "8", "--json", "--spec", "k=2,accept=0.6,draft=mtp");
        Assert.AreEqual(0, code, err);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var spec = doc.RootElement.GetProperty("speculation");
        Assert.AreEqual(2, spec.GetProperty("k").GetInt32());
        Assert.AreEqual("mtp", spec.GetProperty("drafter").GetString());
        Assert.AreEqual(1.96, spec.GetProperty("expected_tokens_per_step").GetDouble(), 1e-12);
        var run = doc.RootElement.GetProperty("schemes")[0].GetProperty("runs")[0];
        Assert.IsTrue(run.GetProperty("speculation").GetProperty("verify_steps").GetInt64() > 0);
        var errors = Explore.MiniSchema.Validate(Path.Combine(TestPaths.RepoRoot, "schemas", "simulate.schema.json"), doc.RootElement);
        Assert.IsEmpty(errors, string.Join("\n", errors.Take(10)));
        Assert.IsFalse(Run("--rate", "8", "--json").Out.Contains("speculation", StringComparison.Ordinal));
    }

    [TestMethod]
    [DataRow("k=2", "--spec: accept is required")]
    [DataRow("k=2,accept=1", "--spec: accept='1' must be an acceptance rate")]
    [DataRow("k=99,accept=0.5", "--spec: k='99' must be")]
    [DataRow("k=2,accept=0.5,tree=1", "--spec: 'tree=1' is not a spec option")]
    [DataRow("k=2,accept=0.5,draft=no-such-model", "--spec")]
    public void BadSpec_OneLine_Exit2_NothingWritten(string spec, string start)
    {
        using var dir = new TempDir();
        string outDir = Path.Combine(dir.Path, "out");
        var (code, stdout, err) = Run("--rate", "8", "-o", outDir, "--spec", spec);
        Assert.AreEqual(2, code, err);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.AreEqual(1, lines.Length, err);
        StringAssert.StartsWith(lines[0], start);
        Assert.AreEqual("", stdout);
        Assert.IsFalse(Directory.Exists(outDir), "nothing written");
    }

    [TestMethod]
    public void BudgetBelowAVerifyStep_Refused()
    {
        using var dir = new TempDir();
        string outDir = Path.Combine(dir.Path, "out");
        var (code, _, err) = Run("--rate", "8", "-o", outDir, "--spec", "k=4,accept=0.5", "--max-batched-tokens", "3");
        Assert.AreEqual(2, code);
        Assert.AreEqual("--max-batched-tokens: 3 is below the k + 1 = 5 tokens one verify step schedules (--spec)", err.Trim());
        Assert.IsFalse(Directory.Exists(outDir));
    }

    [TestMethod]
    public void Tp2_Composes_AndSaysWhereTheDrafterRuns()
    {
        var (code, stdout, err) = Run("--rate", "8", "--tp", "2", "--spec", "k=2,accept=0.7,draft=llama-3.2-1b", "--json");
        Assert.AreEqual(0, code, err);
        StringAssert.Contains(stdout, "\"speculation\"");
        using var dir = new TempDir();
        var (c2, text, e2) = Run("--rate", "8", "--tp", "2", "--spec", "k=2,accept=0.7,draft=llama-3.2-1b", "-o", dir.Path);
        Assert.AreEqual(0, c2, e2);
        StringAssert.Contains(text, "the rank's under the deployment below");
        StringAssert.Contains(text, "on one device");
    }

    [TestMethod]
    public void Scenario_SpecWithServing_Runs()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "s.json");
        File.WriteAllText(path, """
            { "name": "s", "models": ["llama-3.1-8b"], "hardware": ["h100-sxm"], "schemes": ["fp16"], "batch": [1], "context": [1024],
              "outputs": ["csv"], "spec": "k=3,accept=0.7,draft=llama-3.2-1b",
              "serving": { "input_tokens": 256, "output_tokens": 16, "requests": 20, "rates": [4] } }
            """);
        Assert.IsNotNull(ScenarioLoader.Load(path).Serving);
        string outDir = Path.Combine(dir.Path, "out");
        var (code, stdout, err) = TestCli.Run("run", path, "-o", outDir);
        Assert.AreEqual(0, code, err);
        StringAssert.Contains(stdout, "Poisson at 4.000 req/s, speculative decoding k=3,accept=0.7,draft=llama-3.2-1b:");
        string md = File.ReadAllText(Path.Combine(outDir, "serving", "llama-3.1-8b-h100-sxm-bf16", "summary.md"));
        StringAssert.Contains(md, "Speculative decoding k=3,accept=0.7,draft=llama-3.2-1b");
        File.WriteAllText(path, """
            { "name": "s", "models": ["llama-3.1-8b"], "hardware": ["h100-sxm"], "schemes": ["fp16"], "batch": [1], "context": [1024],
              "outputs": ["csv"], "spec": "k=3,accept=0.7",
              "serving": { "input_tokens": 256, "output_tokens": 16, "requests": 20, "rates": [4], "max_batched_tokens": 2 } }
            """);
        var e = Assert.ThrowsExactly<Foundation.Input.InputException>(() => ScenarioLoader.Load(path));
        Assert.AreEqual("serving.max_batched_tokens", e.Errors.Single().Field);
    }
}
