using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Studies.Measurement;

namespace XQuant.Sim.Tests.Validation;

[TestClass]
public sealed class CalibrationTests
{
    private static HardwareProfile Sample() => new()
    {
        Id = "x",
        Name = "Test CPU (2 threads), calibrated",
        Vendor = "host",
        Kind = DeviceKind.Cpu,
        ReleaseYear = 2026,
        PeakFlopsPerSec = new Dictionary<DType, double> { [DType.Fp32] = 1.5e11 },
        PeakFlopsSource = "measured by xqsim calibrate (docs/validation.md)",
        PeakFlopsNote = "achieved GEMM",
        Dram = new MemoryLevel("host DRAM", 2.4e10, 1.25e10, "measured", "read"),
        OnChip = new MemoryLevel("caches (measured knee)", 16 << 20, 3.3e10, "measured", null),
        KernelLaunchLatencySec = 1.1e-5,
        AchievedFlopsPerSecByKind = new Dictionary<string, double> { ["attention"] = 3.1e8, ["quantize"] = 1.1e9 },
        Calibration = new CalibrationInfo("2026-11-28T06:00:00Z", "microbenchmarks", "CPU: Test", ".NET 10", "host", "1.00 2.00 3.00",
            [new CalibrationMeasurement("dram_read_bandwidth", 1.25e10, "bytes/s", 0.05, 7, "128 MB"), new CalibrationMeasurement("dispatch_latency", 1.1e-5, "s", 0.2, 2000, "")]),
    };

    [TestMethod]
    public void CalibratedProfile_RoundTripsThroughTheLoader()
    {
        var p = Sample();
        string path = Path.Combine(Path.GetTempPath(), $"xqsim-cal-{Guid.NewGuid():N}.json");
        try
        {
            OutputSet.WriteTo(path, CalibratedProfileJson.File(path, p));
            var back = HardwareProfileLoader.Load(path);
            Assert.AreEqual(Provenance.Calibrated, back.Provenance);
            Assert.AreEqual(p.Name, back.Name);
            Assert.AreEqual(1.5e11, back.Peak(DType.Fp32));
            Assert.AreEqual(1.25e10, back.DramBandwidthBytesPerSec);
            Assert.AreEqual(16 << 20, back.OnChip!.CapacityBytes);
            Assert.AreEqual(1.1e-5, back.KernelLaunchLatencySec);
            Assert.AreEqual(3.1e8, back.AchievedFlops("attention"));
            Assert.IsNull(back.AchievedFlops("gemm"));
            Assert.AreEqual("2026-11-28T06:00:00Z", back.Calibration!.Date);
            Assert.AreEqual("1.00 2.00 3.00", back.Calibration.LoadAverage);
            Assert.AreEqual(2, back.Calibration.Measurements.Count);
            Assert.AreEqual(p.Calibration!.Measurements[0], back.Calibration.Measurements[0]);
            Assert.AreEqual(CalibratedProfileJson.ToJson(p), CalibratedProfileJson.ToJson(back with { Id = p.Id, SourcePath = p.SourcePath }));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void DatasheetProfiles_StillLoadWithoutCalibration()
    {
        foreach (var p in HardwareProfileLoader.LoadAll(TestPaths.HardwareProfiles))
        {
            Assert.AreEqual(Provenance.Datasheet, p.Provenance, p.Id);
            Assert.IsNull(p.Calibration, p.Id);
            Assert.IsNull(p.AchievedFlopsPerSecByKind, p.Id);
        }
    }

    [TestMethod]
    public void Roofline_UsesTheClassRate_OnlyWhereCalibrated()
    {
        var p = Sample();
        var attention = new OpDraft("attn_scores", OpKind.Attention, 3.1e8, DType.Fp32).Build(0);
        Assert.AreEqual(1.0, Roofline.Time(attention, p).ComputeSec, 1e-12);
        var gemm = new OpDraft("q_proj", OpKind.Gemm, 1.5e11, DType.Fp32).Build(0);
        Assert.AreEqual(1.0, Roofline.Time(gemm, p).ComputeSec, 1e-12);
    }

    [TestMethod]
    public void Roofline_UsesAVariantRate_ThenTheClassRate_ThenThePeak()
    {
        var rates = new Dictionary<string, double> { ["dequantize"] = 2e9, ["dequantize.fused"] = 4e9 };
        var p = Sample() with { AchievedFlopsPerSecByKind = rates };
        var fused = new OpDraft("kv_dequant", OpKind.Dequantize, 8e9, DType.Fp32).AsVariant("fused").Build(0);
        var standalone = new OpDraft("dequantize", OpKind.Dequantize, 8e9, DType.Fp32).Build(0);
        Assert.AreEqual("dequantize.fused", Roofline.RateKey(fused));
        Assert.AreEqual(2.0, Roofline.Time(fused, p).ComputeSec, 1e-12);
        Assert.AreEqual(4.0, Roofline.Time(standalone, p).ComputeSec, 1e-12);
        // Without the variant's own rate the class rate serves; without either, the fp32 peak (1.5e11).
        var classOnly = p with { AchievedFlopsPerSecByKind = new Dictionary<string, double> { ["dequantize"] = 2e9 } };
        Assert.AreEqual(4.0, Roofline.Time(fused, classOnly).ComputeSec, 1e-12);
        Assert.AreEqual(8e9 / 1.5e11, Roofline.Time(fused, p with { AchievedFlopsPerSecByKind = null }).ComputeSec, 1e-12);
    }

    [TestMethod]
    public void Loader_ReadsVariantRates()
    {
        string path = Path.Combine(Path.GetTempPath(), $"xqsim-cal-{Guid.NewGuid():N}.json");
        try
        {
            var rates = new Dictionary<string, double> { ["quantize"] = 1.1e9, ["quantize.per_channel"] = 7e8, ["dequantize.fused"] = 3e9 };
            OutputSet.WriteTo(path, CalibratedProfileJson.File(path, Sample() with { AchievedFlopsPerSecByKind = rates }));
            var back = HardwareProfileLoader.Load(path);
            Assert.AreEqual(7e8, back.AchievedFlops("quantize.per_channel"));
            Assert.AreEqual(3e9, back.AchievedFlops("dequantize.fused"));
            File.WriteAllText(path, File.ReadAllText(path).Replace("\"dequantize.fused\"", "\"dequantize.tiled\"", StringComparison.Ordinal));
            var e = Assert.ThrowsExactly<InputException>(() => HardwareProfileLoader.Load(path));
            StringAssert.Contains(e.Message, "dequantize.tiled: unknown kernel class");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void Interleaved_RotatesTheOrder_AndTimesEachCaseOncePerRound()
    {
        var calls = new List<string>();
        var cases = new[] { "a", "b", "c" }.Select(n => new TimedCase(n, () => calls.Add(n), () => calls.Add("flush"))).ToList();
        var times = Microbench.Interleaved(cases, rounds: 2, warmups: 1);
        // Warm-up a, b, c; round 0 from a; round 1 from b; a flush before every run.
        string[] expected = ["a", "b", "c", "a", "b", "c", "b", "c", "a"];
        CollectionAssert.AreEqual(expected.SelectMany(n => new[] { "flush", n }).ToList(), calls);
        Assert.AreEqual(3, times.Count);
        Assert.IsTrue(times.All(t => t.Count == 2 && t.All(s => s >= 0)));
    }

    [TestMethod]
    public void Solve_ExplainsTheTimeLeft_EvenForAMemoryBoundMicrobenchmark()
    {
        // DRAM 1.25e10 B/s, dispatch 1.1e-5 s. One elementwise op: 1e9 FLOP over 1.25e8 DRAM bytes (0.01 s).
        var hw = Sample() with { AchievedFlopsPerSecByKind = null };
        var op = new OpDraft("rope", OpKind.Elementwise, 1e9, DType.Fp32).AddBytes(TensorClass.ActivationsRead, 1.25e8).Build(0);
        var k = new Sim.Studies.Measurement.KernelCase("rope", "elementwise", "test", () => { }, [op]);
        foreach (double t in new[] { 0.030011, 0.010011 })
        {
            var rates = new Dictionary<string, double>();
            var m = new List<CalibrationMeasurement>();
            HostCalibrator.Solve("elementwise", k, [t, t, t], hw, rates, 3, m, TextWriter.Null);
            // Time left after the dispatch: 0.03 s (compute-bound) or 0.01 s (exactly its DRAM time).
            Assert.AreEqual(1e9 / (t - 1.1e-5), rates["elementwise"], 1e-3);
        }
    }

    [TestMethod]
    public void Loader_RejectsAnUnknownKernelClass()
    {
        string path = Path.Combine(Path.GetTempPath(), $"xqsim-cal-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, CalibratedProfileJson.ToJson(Sample()).Replace("\"quantize\"", "\"quantise\"", StringComparison.Ordinal));
            var e = Assert.ThrowsExactly<InputException>(() => HardwareProfileLoader.Load(path));
            StringAssert.Contains(e.Message, "quantise: unknown kernel class");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
