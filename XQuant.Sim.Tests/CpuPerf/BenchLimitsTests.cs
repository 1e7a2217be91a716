using System.Globalization;

namespace XQuant.Sim.Tests.CpuPerf;

/// <summary>`xqsim bench --limits`: the performance table, each figure beside the limit it is read against.</summary>
[TestClass]
public sealed class BenchLimitsTests
{
    [TestMethod]
    public void QuickTableHasEveryFigureWithARatioToItsLimit()
    {
        var (code, output, err) = TestCli.Run("bench", "--limits", "--quick", "--rounds", "3", "--scenario", Path.Combine(TestPaths.RepoRoot, "scenarios", "gpu-vs-npu.json"));
        Assert.AreEqual(0, code, err);
        var lines = output.Split('\n');
        StringAssert.Contains(lines[0], "3 interleaved rounds, load average ");
        var rows = lines.Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| figure", StringComparison.Ordinal))
            .Select(l => l.Split('|').Select(c => c.Trim()).ToArray()).ToDictionary(c => c[1], c => c);
        // The two limits carry no ratio; every other figure names its limit and has a median within its spread.
        Assert.AreEqual("(a limit)", rows["read-only pass"][3]);
        Assert.AreEqual("(a limit)", rows["FMA peak (register-only loop)"][3]);
        string[] expected =
        [
            "copy (read + write)", "quantize 4-bit, G=128, per-token", "quantize 2-bit, G=128, per-token",
            "quantize 4-bit, G=128, per-channel", "quantize 2-bit, G=128, per-channel",
            "fast GEMM, dense float A, 128 x 512 x 256", "fused dequantize + remat GEMM, 4-bit X, 128 x 512 x 256", "cost model, 2 threads (ordered)",
        ];
        foreach (string figure in expected)
        {
            Assert.IsTrue(rows.ContainsKey(figure), $"{figure} missing:\n{output}");
            var cells = rows[figure];
            double median = Percent(cells[4]);
            var spread = cells[5].TrimEnd('%').Split('-').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            Assert.IsTrue(median > 0 && spread[0] <= median && median <= spread[1], $"{figure}: {string.Join(" | ", cells)}");
            // The CPU-time ratio (Linux: clock_gettime) likewise.
            double cpuMedian = Percent(cells[6]);
            var cpuSpread = cells[7].TrimEnd('%').Split('-').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            Assert.IsTrue(cpuMedian > 0 && cpuSpread[0] <= cpuMedian && cpuMedian <= cpuSpread[1], $"{figure}: {string.Join(" | ", cells)}");
        }
        Assert.AreEqual("read-only pass", rows["quantize 4-bit, G=128, per-channel"][3]);
        Assert.AreEqual("FMA peak (register-only loop)", rows["fused dequantize + remat GEMM, 4-bit X, 128 x 512 x 256"][3]);
        Assert.AreEqual("2 x cost model, 1 thread", rows["cost model, 2 threads (ordered)"][3]);
        // OpenBLAS: either its row (read against the FMA peak) or a visible line saying why it is missing.
        Assert.IsTrue(rows.ContainsKey("OpenBLAS sgemm 128 x 512 x 256") || output.Contains("OpenBLAS sgemm: not measured (", StringComparison.Ordinal), output);
    }

    [TestMethod]
    public void BadRoundsIsOneLineExitTwo()
    {
        var (code, output, err) = TestCli.Run("bench", "--limits", "--quick", "--rounds", "0");
        Assert.AreEqual(2, code);
        Assert.AreEqual("", output);
        StringAssert.Contains(err, "--rounds: '0' must be a whole number from 1 to 100");
    }

    [TestMethod]
    public void QuickWithoutLimitsIsOneLineExitTwo()
    {
        var (code, output, err) = TestCli.Run("bench", "--quick");
        Assert.AreEqual(2, code);
        Assert.AreEqual("", output);
        StringAssert.Contains(err, "--quick: only with --limits");
    }

    private static double Percent(string cell) => double.Parse(cell.TrimEnd('%'), CultureInfo.InvariantCulture);
}
