using XQuant.Sim.Cli;
using XQuant.Sim.Cli.Fuzzing;

namespace XQuant.Sim.Tests.Fuzzing3;

/// <summary>The "tokenizer" fuzz kind: hostile tokenizer.json files through `accuracy --text`; no rule broken, nothing left.</summary>
[TestClass]
public sealed class TokenizerFuzzTests
{
    [TestMethod]
    [Timeout(180_000, CooperativeCancellation = true)]
    public void FuzzCommand_Tokenizer30_BreaksNoRule_NoHang_NoLeftover()
    {
        using var o = new StringWriter();
        using var e = new StringWriter();
        int code = CliApp.Run(["fuzz", "--kinds", "tokenizer", "--count", "30", "--seed", "1"], o, e);
        string text = o.ToString();
        Assert.AreEqual(0, code, text + e);
        StringAssert.Contains(text, "tokenizer: 30 inputs");
        StringAssert.Contains(text, "0 broke a rule (0 hangs), 0 temporary files left");
    }

    [TestMethod]
    [Timeout(180_000, CooperativeCancellation = true)]
    public void EveryMutationClass_IsTried_AndBothOutcomesOccur()
    {
        using var s = new Hardening.HardeningRun.Scratch();
        int n = InputFuzzer.TokenizerMutations.Count;
        var outcomes = InputFuzzer.Generate("tokenizer", n, 3, s.Dir).Select(c => InputFuzzer.Check(c, InputFuzzer.Limit("tokenizer"))).ToList();
        var bad = outcomes.Where(x => x.Problem is not null).Select(x => $"{x.Problem}: {x.Case.Mutation} -> {x.Stderr}").ToList();
        Assert.IsEmpty(bad, string.Join("\n", bad));
        CollectionAssert.AreEquivalent(InputFuzzer.TokenizerMutations.ToList(), outcomes.Select(x => x.Case.Mutation).ToList());
        Assert.IsTrue(outcomes.Any(x => x.ExitCode == 0) && outcomes.Any(x => x.ExitCode == 2));
        Assert.IsEmpty(InputFuzzer.Leftovers(s.Dir));
    }

    [TestMethod]
    public void LoneSurrogateEscape_IsExit2_NamingTheFile()
    {
        // Found by this kind: "\ud800" alone is valid JSON text but no string; it was exit 1 (InvalidOperationException).
        using var s = new Hardening.HardeningRun.Scratch();
        var c = InputFuzzer.Generate("tokenizer", InputFuzzer.TokenizerMutations.Count, 5, s.Dir).First(x => x.Mutation == "lone-surrogate");
        File.WriteAllText(c.File!, File.ReadAllText(c.File!).Replace("\"<s>\"", "\"<\\ud800s>\"", StringComparison.Ordinal).Replace("\"l\"", "\"\\ud800l\"", StringComparison.Ordinal));
        var outcome = InputFuzzer.Check(c, InputFuzzer.Limit("tokenizer"));
        Assert.AreEqual(2, outcome.ExitCode, outcome.Stderr);
        Assert.IsNull(outcome.Problem, outcome.Problem);
        StringAssert.Contains(outcome.Stderr, "surrogate");
    }

    [TestMethod]
    [DataRow("\"1\"")]
    [DataRow("true")]
    [DataRow("null")]
    public void AddedTokenIdOfTheWrongKind_IsExit2_NamingTheField(string id)
    {
        // Found by this kind: TryGetInt32 on a string threw InvalidOperationException (exit 1).
        using var s = new Hardening.HardeningRun.Scratch();
        var c = InputFuzzer.Generate("tokenizer", InputFuzzer.TokenizerMutations.Count, 5, s.Dir).First(x => x.Mutation == "added-token-id");
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(c.File!))!;
        node["added_tokens"] = System.Text.Json.Nodes.JsonNode.Parse($$"""[{"id": {{id}}, "content": "lo"}]""");
        File.WriteAllText(c.File!, node.ToJsonString());
        var outcome = InputFuzzer.Check(c, InputFuzzer.Limit("tokenizer"));
        Assert.AreEqual(2, outcome.ExitCode, outcome.Stderr);
        Assert.IsNull(outcome.Problem, outcome.Problem);
        StringAssert.Contains(outcome.Stderr, "added_tokens");
    }

    [TestMethod]
    public void KindsOption_ListsTheNewKinds()
    {
        using var o = new StringWriter();
        using var e = new StringWriter();
        int code = CliApp.Run(["fuzz", "--kinds", "bogus"], o, e);
        Assert.AreEqual(2, code);
        StringAssert.Contains(e.ToString(), "tokenizer");
        StringAssert.Contains(e.ToString(), "signals");
    }
}
