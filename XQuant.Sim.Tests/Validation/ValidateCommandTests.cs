using static XQuant.Sim.Tests.TestCli;
using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Tests.Validation;

[TestClass]
public sealed class ValidateCommandTests
{
    [TestMethod]
    public void QuickCalibrateThenValidate_WritesEveryOutput()
    {
        using var temp = new TempDir();
        string dir = temp.Path;
        string cal = Path.Combine(dir, "cal.json");
        var (code, output, err) = Run("calibrate", "--quick", "--out", cal);
        Assert.AreEqual(0, code, err);
        StringAssert.Contains(output, "dram_read_bandwidth");
        (code, output, err) = Run("validate", "--quick", "--calibration", cal, "--out", dir);
        Assert.AreEqual(0, code, err);
        StringAssert.Contains(output, "decode step");
        foreach (string f in new[] { "summary.csv", "kernels.csv", "steps.csv", "roofline-points.csv", "validation.md" })
        {
            Assert.IsTrue(File.Exists(Path.Combine(dir, f)), f);
        }
        string steps = File.ReadAllText(Path.Combine(dir, "steps.csv"));
        StringAssert.Contains(steps, "cache_bytes_equal");
        Assert.IsFalse(steps.Contains(",NO,", StringComparison.Ordinal), "engine cache bytes differ from the accounting:\n" + steps);
        StringAssert.StartsWith(File.ReadAllText(Path.Combine(dir, "roofline-points.csv")), "point,flops,dram_bytes,measured_s");
        // The calibration timed in validate's own rounds is written beside the results and scored as a tier.
        var interleaved = HardwareProfileLoader.Load(Path.Combine(dir, "calibrated-interleaved.json"));
        Assert.IsNotNull(interleaved.Calibration);
        Assert.IsTrue(interleaved.DramBandwidthBytesPerSec > 0);
        StringAssert.Contains(File.ReadAllText(Path.Combine(dir, "summary.csv")), "decode step,interleaved,");
    }

    [TestMethod]
    public void Validate_BadInput_OneLinePerProblem_Exit2()
    {
        var (code, _, err) = Run("validate", "--calibration", "/nonexistent/cal.json", "--schemes", "fp16,xquant:9", "--device", "tpu");
        Assert.AreEqual(2, code);
        StringAssert.Contains(err, "--device: 'tpu' is not a device (allowed: cpu, cuda, ilgpu-cpu)");
        StringAssert.Contains(err, "--schemes: bits '9' not allowed for 'xquant' (allowed: 2, 3, 4, 8)");
        StringAssert.Contains(err, "--calibration: /nonexistent/cal.json not found; run 'xqsim calibrate");
    }

    [TestMethod]
    public void Validate_GqaSchemes_NeedTheGqaEngine_AndBadEngineNames_AreRejected()
    {
        var (code, _, err) = Run("validate", "--quick", "--schemes", "xquant-cl-gqa:2", "--engine", "moe", "--calibration", "/nonexistent/cal.json");
        Assert.AreEqual(2, code);
        StringAssert.Contains(err, "--engine: 'moe' is not an engine (allowed: mha, gqa)");
        (code, _, err) = Run("validate", "--quick", "--schemes", "fp16,xquant-cl-gqa:2", "--calibration", "/nonexistent/cal.json");
        Assert.AreEqual(2, code);
        StringAssert.Contains(err, "--schemes: xquant-cl-gqa:2: xquant-cl-gqa caches latents of [Wk | Wv]");
    }

    [TestMethod]
    public void QuickGqaEngine_RunsTheGqaSchemes_WithCacheBytesEqualToTheAccounting()
    {
        using var temp = new TempDir();
        string dir = temp.Path;
        string cal = Path.Combine(dir, "cal.json");
        var (code, _, err) = Run("calibrate", "--quick", "--out", cal);
        Assert.AreEqual(0, code, err);
        (code, _, err) = Run("validate", "--quick", "--engine", "gqa", "--calibration", cal, "--out", dir);
        Assert.AreEqual(0, code, err);
        var rows = File.ReadAllLines(Path.Combine(dir, "steps.csv")).Skip(1).ToList();
        // fp16, kivi:2, xquant-gqa:4, xquant-cl-gqa:2 at two contexts.
        Assert.HasCount(8, rows);
        Assert.AreEqual(2, rows.Count(r => r.StartsWith("xquant-gqa:4,", StringComparison.Ordinal)));
        Assert.AreEqual(2, rows.Count(r => r.StartsWith("xquant-cl-gqa:2,", StringComparison.Ordinal)));
        Assert.IsTrue(rows.All(r => r.Contains(",yes,", StringComparison.Ordinal)), "engine cache bytes differ from the accounting");
        StringAssert.Contains(File.ReadAllText(Path.Combine(dir, "validation.md")), "4/1 heads of 32");
    }

    [TestMethod]
    public void Validate_RejectsADatasheetProfile()
    {
        var (code, _, err) = Run("validate", "--calibration", Path.Combine(TestPaths.HardwareProfiles, "epyc-9654.json"));
        Assert.AreEqual(2, code);
        StringAssert.Contains(err, "is a datasheet profile");
    }
}
