namespace XQuant.Sim.Tests.CpuPerf;

/// <summary>
/// whatif and simulate on N threads write the same bytes as on one thread: the grid's cells and the serving jobs
/// (one per scheme and rate, one per max-rate search) come back in one-thread order, and each job's simulator is its own.
/// </summary>
[TestClass]
public sealed class SweepThreadsTests
{
    [TestMethod]
    public void WhatIfFilesAreByteIdenticalOnOneAndThreeThreads()
    {
        using var dir = new TempDir();
        string one = Path.Combine(dir.Path, "one"), three = Path.Combine(dir.Path, "three");
        string[] args = ["whatif", "-m", "llama-2-7b", "-s", "fp16,kivi:2,xquant:2", "-c", "4096", "-b", "8", "--points", "5", "--sram", "0:2e8", "--format", "svg"];
        var a = TestCli.Run([.. args, "-o", one, "--threads", "1"]);
        Assert.AreEqual(0, a.Code, a.Err);
        var b = TestCli.Run([.. args, "-o", three, "--threads", "3"]);
        Assert.AreEqual(0, b.Code, b.Err);
        var files = Directory.GetFiles(one).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        CollectionAssert.AreEqual(files, Directory.GetFiles(three).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList());
        Assert.IsTrue(files.Contains("whatif.csv"), string.Join(", ", files));
        // 2 SRAM sizes x 5 x 5 grid points x 3 schemes, plus the header.
        Assert.AreEqual(1 + (2 * 5 * 5 * 3), File.ReadAllLines(Path.Combine(one, "whatif.csv")).Length);
        foreach (string? f in files)
        {
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(one, f!)), File.ReadAllBytes(Path.Combine(three, f!)), f);
        }
    }

    [TestMethod]
    public void SimulateRatesAndMaxRateSearchAreByteIdenticalOnOneAndThreeThreads()
    {
        using var dir = new TempDir();
        string one = Path.Combine(dir.Path, "one"), three = Path.Combine(dir.Path, "three");
        string[] args = ["simulate", "-H", "h100-sxm", "-m", "llama-3.1-8b", "-s", "fp16,kivi:2,xquant-gqa:2", "--rate", "2,20", "-n", "60",
            "--input", "200..600", "--output", "8..40", "--slo", "ttft=2s,tpot=50ms", "--max-rate", "--charts", "none"];
        var a = TestCli.Run([.. args, "-o", one, "--threads", "1"]);
        Assert.AreEqual(0, a.Code, a.Err);
        var b = TestCli.Run([.. args, "-o", three, "--threads", "3"]);
        Assert.AreEqual(0, b.Code, b.Err);
        Assert.AreEqual(a.Out.Replace(one, "", StringComparison.Ordinal), b.Out.Replace(three, "", StringComparison.Ordinal));
        var files = Directory.GetFiles(one).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        CollectionAssert.AreEqual(files, Directory.GetFiles(three).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList());
        foreach (string? f in files)
        {
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(one, f!)), File.ReadAllBytes(Path.Combine(three, f!)), f);
        }
        // Three schemes x two rates x 60 requests, plus the header; the search ran for every scheme.
        Assert.AreEqual(1 + (3 * 2 * 60), File.ReadAllLines(Path.Combine(one, "requests.csv")).Length);
        StringAssert.Contains(a.Out, "xquant-gqa:2");
        var json1 = TestCli.Run([.. args, "--json", "--threads", "1"]);
        var json2 = TestCli.Run([.. args, "--json", "--threads", "2"]);
        Assert.AreEqual(0, json2.Code, json2.Err);
        Assert.AreEqual(json1.Out, json2.Out);
    }

    [TestMethod]
    [DataRow("whatif", "-m", "llama-2-7b")]
    [DataRow("simulate", "-H", "h100-sxm", "-m", "llama-3.1-8b", "--offline")]
    public void BadThreadsIsOneLineExitTwoNamingTheOption(params string[] args)
    {
        using var dir = new TempDir();
        string outDir = Path.Combine(dir.Path, "o");
        var (code, _, err) = TestCli.Run([.. args, "-o", outDir, "--threads", "0"]);
        Assert.AreEqual(2, code, err);
        StringAssert.Contains(err, "--threads: '0' must be a whole number from 1 to");
        Assert.IsFalse(Directory.Exists(outDir), "no output folder");
    }
}
