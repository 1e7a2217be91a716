using static XQuant.Sim.Tests.TestCli;

namespace XQuant.Sim.Tests.Cli;

[TestClass]
public sealed class CliTests
{
    [TestMethod]
    public void Memory_PrintsEverySchemeForLlama2()
    {
        var (code, output, _) = Run("memory", "--model", TestPaths.Model("llama-2-7b"), "--schemes", "fp16,kivi:2,xquant:4,xquant-cl:2,base=3@4");
        Assert.AreEqual(0, code);
        StringAssert.Contains(output, "xquant-cl:2 ");
        StringAssert.Contains(output, "0.1328");
        StringAssert.Contains(output, "7.69");
        StringAssert.Contains(output, "12.50");
    }

    [TestMethod]
    [DataRow(new[] { "memory", "--model", "nope" }, "--model: model 'nope' not found", DisplayName = "unknown model lists the ids")]
    [DataRow(new[] { "memory", "--model", "llama-2-7b", "--schemes", "xquant:9" }, "--schemes: bits '9' not allowed for 'xquant' (allowed: 2, 3, 4, 8)")]
    [DataRow(new[] { "memory", "--model", "llama-2-7b", "--context", "-5" }, "--context: '-5' must be a whole number")]
    [DataRow(new[] { "ledger", "--model", "llama-2-7b", "--hardware", "h100" }, "--hardware: hardware 'h100' not found")]
    [DataRow(new[] { "ledger", "--model", "llama-2-7b", "--hardware", "h100-sxm", "--weights", "fp4" }, "--weights: 'fp4' is not a weight precision")]
    [DataRow(new[] { "ledger", "--model", "llama-2-7b", "--hardware", "h100-sxm", "--context", "4096,32768" }, "--context: takes one value in this command (got 2", DisplayName = "a one-case command refuses a context list instead of using its first value")]
    [DataRow(new[] { "breakeven", "--model", "llama-2-7b", "--hardware", "h100-sxm", "--scheme", "xquant:4", "--batch", "1,8" }, "--batch: takes one value in this command (got 2")]
    [DataRow(new[] { "run", "/no/such/file.json" }, "/no/such/file.json: file not found")]
    [DataRow(new[] { "frobnicate" }, "xqsim: ")]
    public void BadInput_ExitsTwo_WithOneClearLineAndNoStackTrace(string[] args, string expected)
    {
        var (code, output, err) = Run(args);
        Assert.AreEqual(2, code, err);
        StringAssert.Contains(err, expected);
        Assert.IsFalse(err.Contains("   at ", StringComparison.Ordinal), err);
        Assert.AreEqual("", output);
    }

    [TestMethod]
    public void BadScenario_WritesNothing()
    {
        string dir = TestPaths.NewTempDir();
        string scenario = Path.Combine(dir, "s.json");
        File.WriteAllText(scenario, """{"name": "x", "models": ["llama-2-7b"], "hardware": ["h100-sxm"], "schemes": ["fp16"], "batch": [0], "context": [1]}""");
        string outDir = Path.Combine(dir, "out");
        var (code, _, err) = Run("run", scenario, "--out", outDir);
        Assert.AreEqual(2, code);
        StringAssert.Contains(err, "batch[0]");
        Assert.IsFalse(Directory.Exists(outDir));
    }

    [TestMethod]
    public void Run_WritesCsvAndMarkdown_AndPrintsThePaths()
    {
        string outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var (code, output, err) = Run("run", Path.Combine(TestPaths.Scenarios, "paper-reproduction.json"), "--out", outDir);
        Assert.AreEqual(0, code, err);
        StringAssert.Contains(output, Path.Combine(outDir, "cases.csv"));
        Assert.IsTrue(File.Exists(Path.Combine(outDir, "summary.md")));
        Assert.AreEqual(0, Directory.GetFiles(outDir, "*.tmp").Length);
    }

    [TestMethod]
    public void Breakeven_PrintsTheFormulas()
    {
        var (code, output, err) = Run("breakeven", "--hardware", "h100-pcie", "--model", "llama-2-7b", "--scheme", "xquant:4");
        Assert.AreEqual(0, code, err);
        StringAssert.Contains(output, "l* = W_layer x ridge / (b x F_remat)");
        StringAssert.Contains(output, "crossover at l = ");
        StringAssert.Contains(output, "R_needed = F_xquant / B_kivi");
    }
}
