using XQuant.Sim.Cli.Fuzzing;
using XQuant.Sim.Foundation.Output;

namespace XQuant.Sim.Tests.Fuzzing3;

/// <summary>The fuzzers' judges flag planted rule-breakers, so "0 broke a rule" can fail.</summary>
[TestClass]
public sealed class PlantedRuleBreakerTests
{
    private static readonly FuzzCase Tokenizer = new("tokenizer", "planted", ["accuracy"], "/w/tok-0/tokenizer.json", null, "/w/no-such-out") { OtherFile = "/w/text.txt" };

    [TestMethod]
    public void InputJudge_FlagsExit1_StackTrace_Silence_AndAnUnnamedFile()
    {
        Assert.IsNull(InputFuzzer.Judge(Tokenizer, 0, "ok", "").Problem);
        Assert.IsNull(InputFuzzer.Judge(Tokenizer, 2, "", "/w/tok-0/tokenizer.json: model.vocab: bad").Problem);
        Assert.IsNull(InputFuzzer.Judge(Tokenizer, 2, "", "/w/text.txt: the text tokenizes to fewer than 2 tokens").Problem);
        Assert.AreEqual("exit code 1", InputFuzzer.Judge(Tokenizer, 1, "", "xqsim: internal error").Problem);
        Assert.AreEqual("stack trace printed", InputFuzzer.Judge(Tokenizer, 2, "", "/w/tok-0/tokenizer.json: x\n   at XQuant.Sim.Foo.Bar()\n").Problem);
        Assert.AreEqual("exit 2 without a message", InputFuzzer.Judge(Tokenizer, 2, "", " ").Problem);
        Assert.AreEqual("error does not name the file", InputFuzzer.Judge(Tokenizer, 2, "", "something went wrong").Problem);
    }

    [TestMethod]
    public void Leftovers_CountsAPlantedTemporaryFileAndStagingFolder()
    {
        using var s = new Hardening.HardeningRun.Scratch();
        Directory.CreateDirectory(s.Path("a/b"));
        File.WriteAllText(s.Path("a/b/.xqsim-123-0123456789abcdef.tmp"), "x");
        Directory.CreateDirectory(s.Path("a/.xqsim-staging-1-abc"));
        File.WriteAllText(s.Path("a/" + OutputFolder.ManifestName), "");
        Assert.HasCount(2, InputFuzzer.Leftovers(s.Dir));
    }

    [TestMethod]
    public void SignalJudge_FlagsWrongExit_Hang_PartialOutput_Leftovers_AndSlowStops()
    {
        var c = new SignalCase(0, "run-sweep", ["run"], "INT", 2, 300, "/w/sig-0/out");
        Assert.IsNull(SignalFuzzer.Judge(c, 130, false, 0.4, "none", "xqsim: interrupted; no partial output was left", 0).Problem);
        Assert.IsNull(SignalFuzzer.Judge(c, 0, true, 0, "complete", "", 0).Problem);
        Assert.IsNull(SignalFuzzer.Judge(c, 0, false, 0.1, "complete", "", 0).Problem);
        StringAssert.StartsWith(SignalFuzzer.Judge(c, 1, false, 0.4, "none", "", 0).Problem, "exit code 1 after SIGINT");
        StringAssert.StartsWith(SignalFuzzer.Judge(c, 143, false, 0.4, "none", "", 0).Problem, "exit code 143");
        StringAssert.StartsWith(SignalFuzzer.Judge(c, -1, false, 20, "none", "", 0).Problem, "still running");
        Assert.AreEqual("stack trace printed", SignalFuzzer.Judge(c, 130, false, 0.4, "none", "   at X.Y()", 0).Problem);
        Assert.AreEqual("a partial output set was left", SignalFuzzer.Judge(c, 130, false, 0.4, "partial", "", 0).Problem);
        Assert.AreEqual("exit 0 without a complete output set", SignalFuzzer.Judge(c, 0, true, 0, "none", "", 0).Problem);
        StringAssert.StartsWith(SignalFuzzer.Judge(c, 130, false, 0.4, "none", "", 1).Problem, "1 temporary files");
        StringAssert.StartsWith(SignalFuzzer.Judge(c, 130, false, 7.5, "none", "", 0).Problem, "stopped 7.5 s after SIGINT");
    }

    [TestMethod]
    public void OutputState_None_Complete_Partial()
    {
        using var s = new Hardening.HardeningRun.Scratch();
        string dir = s.Path("out");
        Assert.AreEqual("none", SignalFuzzer.OutputState(dir));
        Directory.CreateDirectory(dir);
        Assert.AreEqual("none", SignalFuzzer.OutputState(dir));
        File.WriteAllText(Path.Combine(dir, "cases.csv"), "a\n");
        Assert.AreEqual("partial", SignalFuzzer.OutputState(dir), "a file without a manifest");
        File.WriteAllText(Path.Combine(dir, OutputFolder.ManifestName), "cases.csv\nreport.md\n");
        Assert.AreEqual("partial", SignalFuzzer.OutputState(dir), "a listed file is missing");
        File.WriteAllText(Path.Combine(dir, "report.md"), "# r\n");
        Assert.AreEqual("complete", SignalFuzzer.OutputState(dir));
        Directory.CreateDirectory(Path.Combine(dir, ".xqsim-staging-1-abc"));
        Assert.AreEqual("partial", SignalFuzzer.OutputState(dir), "a staging folder left");
    }
}
