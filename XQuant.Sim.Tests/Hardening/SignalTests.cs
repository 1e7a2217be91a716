using System.Diagnostics;
using XQuant.Sim.Cli;
using static XQuant.Sim.Tests.Hardening.HardeningRun;

namespace XQuant.Sim.Tests.Hardening;

/// <summary>
/// SIGINT, SIGTERM and SIGHUP stop every long command within a second, with 128 + the signal, and leave nothing:
/// no output file, no temporary file, no staging folder.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class SignalTests
{
    [TestMethod]
    public void CancelledRun_Exits130_AndLeavesNoFile()
    {
        using var s = new Scratch();
        string outDir = s.Path("out");
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        using var o = new StringWriter();
        using var e = new StringWriter();
        int code = CliApp.Run(["run", Path.Combine(TestPaths.Scenarios, "quickstart.json"), "--out", outDir], o, e, cancel: cancel.Token);
        Assert.AreEqual(130, code, e.ToString());
        Assert.IsEmpty(Scratch.Leftovers(outDir));
    }

    [TestMethod]
    [Timeout(90_000, CooperativeCancellation = true)]
    [DataRow("INT", 130)]
    [DataRow("TERM", 143)]
    [DataRow("HUP", 129)]
    public void Signal_DuringAMillionCaseSweep_ExitsWithItsCode_AndLeavesNothing(string signal, int expected)
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("signals via kill(1) are tested on Linux only");
        }
        using var s = new Scratch();
        string outDir = s.Path("out");
        using var child = Start(TestPaths.RepoRoot, "run", Path.Combine(TestPaths.Scenarios, "sweep-1m.json"), "--out", outDir);
        var p = child.Process;
        // Wait until the sweep is streaming its CSV into the staging folder, then signal it.
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(45) && !Scratch.Leftovers(outDir).Any(f => f.EndsWith(".tmp", StringComparison.Ordinal)))
        {
            Thread.Sleep(50);
        }
        Assert.IsTrue(Scratch.Leftovers(outDir).Length > 0, "the sweep never started writing");
        var stopClock = Stopwatch.StartNew();
        Signal(child, signal);
        Assert.IsTrue(p.WaitForExit(30_000), $"xqsim did not stop after SIG{signal}");
        double stopSec = stopClock.Elapsed.TotalSeconds;
        p.WaitForExit();
        Assert.AreEqual(expected, p.ExitCode, child.Stderr);
        Assert.IsEmpty(Scratch.Leftovers(outDir), string.Join(", ", Scratch.Leftovers(outDir)));
        Assert.IsLessThan(5.0, stopSec, "the stop took too long (promise: about a second; slack for a loaded machine)");
    }

    [TestMethod]
    [Timeout(90_000, CooperativeCancellation = true)]
    public void Sigint_DuringAccuracy_AStudyThatDoesNotWatchTheToken_StopsWithinSeconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("signals via kill(1) are tested on Linux only");
        }
        using var s = new Scratch();
        string outDir = s.Path("acc");
        using var child = Start(TestPaths.RepoRoot, "accuracy", "-m", "synthetic-mha", "-n", "3000", "--out", outDir);
        var p = child.Process;
        // accuracy prints its plan before the long part (minutes) starts.
        Assert.IsTrue(child.WaitForFirstLine(TimeSpan.FromSeconds(60)), child.Stderr);
        Thread.Sleep(300);
        Assert.IsFalse(p.HasExited, "accuracy finished before it could be interrupted");
        var stopClock = Stopwatch.StartNew();
        Signal(child, "INT");
        Assert.IsTrue(p.WaitForExit(30_000), "accuracy ignored SIGINT");
        double stopSec = stopClock.Elapsed.TotalSeconds;
        p.WaitForExit();
        Assert.AreEqual(130, p.ExitCode, child.Stderr);
        Assert.IsLessThan(5.0, stopSec);
        Assert.IsEmpty(Scratch.Leftovers(outDir), string.Join(", ", Scratch.Leftovers(outDir)));
    }
}
