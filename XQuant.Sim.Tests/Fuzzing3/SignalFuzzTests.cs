using XQuant.Sim.Cli;
using XQuant.Sim.Cli.Fuzzing;

namespace XQuant.Sim.Tests.Fuzzing3;

/// <summary>The "signals" fuzz kind: xqsim children interrupted at seeded delays stop with 128 + the signal and leave nothing partial.</summary>
[TestClass]
[DoNotParallelize]
public sealed class SignalFuzzTests
{
    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public void FuzzCommand_Signals3_BreaksNoRule_NoHang_NoLeftover()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("signals are sent with kill(2) on Linux only");
        }
        using var o = new StringWriter();
        using var e = new StringWriter();
        int code = CliApp.Run(["fuzz", "--kinds", "signals", "--count", "3", "--seed", "1"], o, e);
        string text = o.ToString();
        Assert.AreEqual(0, code, text + e);
        StringAssert.Contains(text, "signals: 3 processes");
        StringAssert.Contains(text, "0 broke a rule (0 hangs), 0 temporary files left");
    }

    [TestMethod]
    public void Plan_IsDeterministicInTheSeed_AndCoversEverySignal()
    {
        static string Key(IEnumerable<SignalCase> plan) => string.Join("|", plan.Select(c => $"{c.Command}:{c.Signal}:{c.DelayMs}"));
        string a = Key(SignalFuzzer.Plan(3, 1, "/w")), b = Key(SignalFuzzer.Plan(3, 1, "/w")), other = Key(SignalFuzzer.Plan(3, 2, "/w"));
        Assert.AreEqual(a, b);
        Assert.AreNotEqual(a, other);
        // Signals rotate from a seeded start, so any three cases carry all three.
        CollectionAssert.AreEquivalent(new[] { "INT", "TERM", "HUP" }, SignalFuzzer.Plan(3, 1, "/w").Select(c => c.Signal).ToArray());
        Assert.AreEqual(20, SignalFuzzer.Processes(500));
        Assert.AreEqual(8, SignalFuzzer.Processes(200));
        Assert.AreEqual(3, SignalFuzzer.Processes(3));
        Assert.AreEqual(1, SignalFuzzer.Processes(1));
    }
}
