using XQuant.Sim.Cli.Fuzzing;

namespace XQuant.Sim.Tests.Hardening;

/// <summary>500 generated inputs per kind, fixed seed: every one accepted or cleanly rejected. `xqsim fuzz --count N --seed S` runs it longer.</summary>
[TestClass]
public sealed class FuzzTests
{
    [TestMethod]
    [DataRow("profile")]
    [DataRow("model")]
    [DataRow("scenario")]
    [DataRow("scheme")]
    [DataRow("cli")]
    public void FiveHundredMutatedInputs_AreAcceptedOrRejectedCleanly(string kind)
    {
        string work = TestPaths.NewTempDir();
        var outcomes = InputFuzzer.Generate(kind, 500, 20261128, work).Select(c => InputFuzzer.Check(c, TimeSpan.FromSeconds(20))).ToList();
        var bad = outcomes.Where(o => o.Problem is not null).Select(o => $"{o.Problem}: {o.Case.Mutation} [{string.Join(' ', o.Case.Args)}] -> {o.Stderr}").ToList();
        Assert.AreEqual(0, bad.Count, string.Join("\n", bad.Take(10)));
        Assert.AreEqual(500, outcomes.Count);
        // The mutations really break things: most inputs must be rejected (model configs tolerate unknown keys).
        Assert.IsTrue(outcomes.Count(o => o.ExitCode == 2) >= (kind == "model" ? 250 : 400), $"{kind}: only {outcomes.Count(o => o.ExitCode == 2)} rejected");
    }

    [TestMethod]
    [DataRow("dram.bandwidth_bytes_per_sec", "bandwidth_bytes_per_sec")]
    [DataRow("batch[0]", "batch")]
    [DataRow("peak_flops_per_sec.fp32", "fp32")]
    [DataRow("name", "name")]
    public void LastKey_NamesTheField(string path, string expected) => Assert.AreEqual(expected, InputFuzzer.LastKey(path));

    [TestMethod]
    public void Checker_FlagsAnErrorThatDoesNotNameItsField()
    {
        // A valid profile but a claimed broken field that the (clean) error cannot mention: the checker must object.
        string dir = TestPaths.NewTempDir();
        string file = Path.Combine(dir, "p.json");
        File.WriteAllText(file, "{}");
        var c = new FuzzCase("profile", "test", ["ledger", "--hardware", file, "--model", "llama-2-7b"], file, "no_such_field_anywhere", null);
        var outcome = InputFuzzer.Check(c, TimeSpan.FromSeconds(20));
        Assert.AreEqual(2, outcome.ExitCode);
        Assert.AreEqual("error does not name the field no_such_field_anywhere", outcome.Problem);
    }
}
