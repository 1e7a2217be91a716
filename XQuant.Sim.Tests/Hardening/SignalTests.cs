using System.Diagnostics;
using XQuant.Sim.Cli;

namespace XQuant.Sim.Tests.Hardening;

[TestClass]
public sealed class SignalTests
{
    [TestMethod]
    public void CancelledRun_Exits130_AndLeavesNoFile()
    {
        string outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        using var o = new StringWriter();
        using var e = new StringWriter();
        int code = CliApp.Run(["run", Path.Combine(TestPaths.Scenarios, "quickstart.json"), "--out", outDir], o, e, cancel: cancel.Token);
        Assert.AreEqual(130, code, e.ToString());
        Assert.IsFalse(Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any());
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public void Sigint_DuringAMillionCaseSweep_Exits130_AndLeavesNoPartialFile()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("SIGINT via kill(1) is tested on Linux only");
        }
        string outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        string xqsim = Path.Combine(AppContext.BaseDirectory, "xqsim.dll");
        var psi = new ProcessStartInfo("dotnet", [xqsim, "run", Path.Combine(TestPaths.Scenarios, "sweep-1m.json"), "--out", outDir])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = TestPaths.RepoRoot,
        };
        using var p = Process.Start(psi)!;
        // Wait until the sweep has started writing its temporary CSV, then interrupt it.
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30) && !(Directory.Exists(outDir) && Directory.GetFiles(outDir, "*.tmp").Length > 0))
        {
            Thread.Sleep(50);
        }
        Assert.IsTrue(Directory.Exists(outDir), "the sweep never started writing");
        using (var kill = Process.Start("kill", ["-INT", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }
        Assert.IsTrue(p.WaitForExit(30_000), "xqsim did not stop after SIGINT");
        Assert.AreEqual(130, p.ExitCode, p.StandardError.ReadToEnd());
        Assert.AreEqual(0, Directory.GetFiles(outDir).Length, string.Join(", ", Directory.GetFiles(outDir)));
    }
}
