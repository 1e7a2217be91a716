using static XQuant.Sim.Tests.TestCli;

namespace XQuant.Sim.Tests.Parallelism;

[TestClass]
public sealed class ParallelCliTests
{
    [TestMethod]
    [DataRow(new[] { "ledger", "-m", "llama-2-70b", "-H", "dgx-h100", "--tp", "3" }, "--tp: 3 does not divide the 64 attention heads of llama-2-70b")]
    [DataRow(new[] { "ledger", "-m", "llama-2-70b", "-H", "h100-sxm", "--tp", "16" }, "--tp: 16 does not divide the 8 KV heads of llama-2-70b")]
    [DataRow(new[] { "ledger", "-m", "llama-2-70b", "-H", "rtx-4090", "--tp", "2" }, "--tp: rtx-4090 has no interconnect block")]
    [DataRow(new[] { "ledger", "-m", "llama-2-70b", "-H", "h100-sxm", "--pp", "81" }, "--pp: 81 stages are more than the 80 layers of llama-2-70b")]
    [DataRow(new[] { "ledger", "-m", "llama-2-70b", "-H", "dgx-h100", "--tp", "8", "--pp", "2" }, "--tp: TP 8 x PP 2 = 16 devices, more than the 8 of node dgx-h100")]
    [DataRow(new[] { "ledger", "-m", "llama-2-70b", "-H", "h100-sxm", "--tp", "0" }, "--tp: 0 must be a whole number from 1 to 1024")]
    public void BadPlan_ExitsTwo_WithOneLineNamingTheOption(string[] args, string expected)
    {
        var (code, output, err) = Run(args);
        Assert.AreEqual(2, code, err);
        StringAssert.Contains(err, expected);
        Assert.AreEqual(1, err.Trim().Split('\n').Length, err);
        Assert.AreEqual("", output);
    }

    [TestMethod]
    public void TokenSharding_NeedsNoKvHeadDivision()
    {
        var (code, output, err) = Run("ledger", "-m", "llama-2-70b", "-H", "h100-sxm", "--tp", "16", "--scheme", "xquant:4,tp=tokens", "-c", "1024");
        Assert.AreEqual(0, code, err);
        StringAssert.Contains(output, "tp_lse_combine");
        StringAssert.Contains(output, "TP 16 x PP 1 = 16 devices");
    }

    [TestMethod]
    public void Scenario_WithATpThatDoesNotDivideTheHeads_ExitsTwo_AndWritesNothing()
    {
        using var dir = new TempDir();
        string file = Path.Combine(dir.Path, "tp.json");
        File.WriteAllText(file, """{"name": "tp", "models": ["llama-2-70b"], "hardware": ["dgx-h100"], "schemes": ["fp16", "kivi:2"], "batch": [1], "context": [1024], "tp": 3}""");
        string outDir = Path.Combine(dir.Path, "out");
        var (code, output, err) = Run("run", file, "--out", outDir);
        Assert.AreEqual(2, code, err);
        Assert.AreEqual($"{file}: tp: 3 does not divide the 64 attention heads of llama-2-70b", err.Trim());
        Assert.AreEqual("", output);
        Assert.IsFalse(Directory.Exists(outDir));
    }

    [TestMethod]
    public void Scenario_WithTp_CostsEachCaseOnOneRank()
    {
        using var dir = new TempDir();
        string file = Path.Combine(dir.Path, "tp.json");
        File.WriteAllText(file, """{"name": "tp", "models": ["llama-2-70b"], "hardware": ["dgx-h100"], "schemes": ["fp16"], "batch": [16], "context": [4096], "tp": 8}""");
        var (code, _, err) = Run("run", file, "--out", Path.Combine(dir.Path, "out"));
        Assert.AreEqual(0, code, err);
        string csv = File.ReadAllText(Path.Combine(dir.Path, "out", "cases.csv"));
        // One rank's cache: 16 x 4096 x 80 x 2 x 128 x 2 B (see ParallelLedgerTests.Llama2_70B_Tp8_OnDgxH100_ByHand).
        StringAssert.Contains(csv, "2684354560");
    }
}
