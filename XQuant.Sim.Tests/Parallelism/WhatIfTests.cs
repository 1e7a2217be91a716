using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Studies.WhatIf;
using static XQuant.Sim.Tests.TestCli;

namespace XQuant.Sim.Tests.Parallelism;

[TestClass]
public sealed class WhatIfTests
{
    [TestMethod]
    public void Device_ReplacesBandwidthAndPeak_KeepingTheDtypeRatios()
    {
        var rngd = TestData.Hardware("rngd"); // bf16 256e12, int8 512e12, 1.5e12 B/s
        var d = WhatIfStudy.Device(rngd, 3e12, 1024e12, sramBytes: 0);
        Assert.AreEqual(3e12, d.DramBandwidthBytesPerSec);
        Assert.AreEqual(1024e12, d.Peak(DType.Bf16));
        Assert.AreEqual(2048e12, d.Peak(DType.Int8));
        Assert.IsNull(d.OnChip);
        Assert.AreEqual(rngd.Dram.CapacityBytes, d.Dram.CapacityBytes);
        Assert.AreEqual(rngd.OnChip, WhatIfStudy.Device(rngd, 3e12, 1024e12, sramBytes: null).OnChip);
    }

    [TestMethod]
    public void LogGrid_SpansTheRangeEvenlyInLog()
    {
        var g = WhatIfStudy.LogGrid(1e12, 8e12, 4);
        Assert.AreEqual(1e12, g[0], 1);
        Assert.AreEqual(2e12, g[1], 1);
        Assert.AreEqual(4e12, g[2], 1);
        Assert.AreEqual(8e12, g[3], 1);
    }

    [TestMethod]
    public void WhatIf_WritesTheCsvAndMaps_AndTheBestIsTheFastestFittingScheme()
    {
        using var dir = new TempDir();
        var (code, _, err) = Run("whatif", "-m", "llama-2-7b", "-s", "fp16,kivi:2,xquant:2", "-c", "4096", "-b", "8", "--points", "2", "--format", "svg", "-o", dir.Path);
        Assert.AreEqual(0, code, err);
        Assert.IsTrue(File.Exists(Path.Combine(dir.Path, "whatif-best.svg")));
        Assert.IsTrue(File.Exists(Path.Combine(dir.Path, "whatif-xquant-vs-kivi.svg")));
        var rows = File.ReadAllLines(Path.Combine(dir.Path, "whatif.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.AreEqual(2 * 2 * 3, rows.Count);
        foreach (var cell in rows.GroupBy(r => (r[0], r[1])))
        {
            var fitting = cell.Where(r => r[4].Length > 0).ToList();
            var best = cell.Single(r => r[5] == "1");
            Assert.AreEqual(fitting.Min(r => double.Parse(r[4], System.Globalization.CultureInfo.InvariantCulture)), double.Parse(best[4], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [TestMethod]
    public void SramValues_ListsRangesAndLogGrids_SortedWithoutDuplicates()
    {
        var errors = new List<XQuant.Sim.Foundation.Input.InputError>();
        CollectionAssert.AreEqual(new double?[] { 0, 1e6, 1e7, 1e8, 1e9 }, XQuant.Sim.Cli.WhatIfCommand.SramValues("0,1e6:1e9:4", errors));
        CollectionAssert.AreEqual(new double?[] { 0, 1e9 }, XQuant.Sim.Cli.WhatIfCommand.SramValues("0:1e9", errors));
        CollectionAssert.AreEqual(new double?[] { 32e6 }, XQuant.Sim.Cli.WhatIfCommand.SramValues("32e6,32e6", errors));
        Assert.IsEmpty(errors);
    }

    [TestMethod]
    public void WhatIf_SramGrid_GivesAGridAndMapsPerSize()
    {
        using var dir = new TempDir();
        var (code, _, err) = Run("whatif", "-m", "llama-2-7b", "-s", "kivi:2,xquant:2", "-c", "4096", "-b", "8", "--points", "2", "--sram", "0,1e6:1e8:3", "--format", "svg", "-o", dir.Path);
        Assert.AreEqual(0, code, err);
        foreach (string size in new[] { "0", "1000000", "10000000", "100000000" })
        {
            Assert.IsTrue(File.Exists(Path.Combine(dir.Path, $"whatif-best-sram{size}.svg")), size);
            Assert.IsTrue(File.Exists(Path.Combine(dir.Path, $"whatif-xquant-vs-kivi-sram{size}.svg")), size);
        }
        var header = File.ReadLines(Path.Combine(dir.Path, "whatif.csv")).First().Split(',');
        int sram = Array.IndexOf(header, "sram_bytes");
        var sizes = File.ReadAllLines(Path.Combine(dir.Path, "whatif.csv")).Skip(1).Select(l => l.Split(',')[sram]).Distinct().ToList();
        CollectionAssert.AreEqual(new[] { "0", "1000000", "10000000", "100000000" }, sizes);
    }

    [TestMethod]
    [DataRow(new[] { "whatif", "-m", "llama-2-7b", "--peak", "4e15:1e14" }, "--peak: '4e15:1e14' must be lo:hi with 0 < lo < hi")]
    [DataRow(new[] { "whatif", "-m", "llama-2-7b", "--sram", "1e9:0" }, "--sram: '1e9:0' must be comma-separated bytes")]
    [DataRow(new[] { "whatif", "-m", "llama-2-7b", "--sram", "0:1e9:4" }, "--sram: '0:1e9:4' must be")]
    [DataRow(new[] { "whatif", "-m", "llama-2-7b", "--sram", "1e6:1e9:17" }, "--sram: '1e6:1e9:17' must be")]
    [DataRow(new[] { "whatif", "-m", "llama-2-7b", "--sram", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17" }, "--sram: 17 sizes; at most 16")]
    [DataRow(new[] { "whatif", "-m", "llama-2-7b", "--format", "gif" }, "--format: 'gif' is not allowed")]
    public void BadInput_ExitsTwo(string[] args, string expected)
    {
        var (code, output, err) = Run(args);
        Assert.AreEqual(2, code, err);
        StringAssert.Contains(err, expected);
        Assert.AreEqual("", output);
    }
}
