using XQuant.Sim.Studies.Measurement;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Tests.Kernels;
using static XQuant.Sim.Tests.TestCli;

namespace XQuant.Sim.Tests.Validation;

/// <summary>calibrate and validate on ILGPU devices: the emulator end to end, and a missing CUDA device.</summary>
[TestClass]
public sealed class DeviceCommandTests
{
    /// <summary>A calibrated profile that says it was measured on a CUDA device (as one from a GPU machine would).</summary>
    private static void WriteCudaCalibration(string path) => File.WriteAllText(path, CalibratedProfileJson.ToJson(new HardwareProfile
    {
        Id = "x",
        Name = "Test GPU (ILGPU Cuda), calibrated",
        Vendor = "nvidia",
        Kind = DeviceKind.Gpu,
        ReleaseYear = 2026,
        PeakFlopsPerSec = new Dictionary<DType, double> { [DType.Fp32] = 2e13 },
        PeakFlopsSource = "test",
        Dram = new MemoryLevel("device DRAM", 1L << 37, 4e12, "test", null),
        KernelLaunchLatencySec = 5e-6,
        Calibration = new CalibrationInfo("2026-11-28T06:00:00Z", "test", DeviceCalibrator.DeviceTag(ILGPU.Runtime.AcceleratorType.Cuda) + ": Test GPU", "ILGPU 1.5.3", "host", "0 0 0",
            [new CalibrationMeasurement("dram_read_bandwidth", 4e12, "bytes/s", 0.01, 15, "1 GB")]),
    }));

    [TestMethod]
    public void IlgpuCpu_CalibrateThenValidate_KernelsOnly_SaysEmulator()
    {
        using var temp = new TempDir();
        string dir = temp.Path;
        string cal = Path.Combine(dir, "cal.json");
        var (code, output, err) = Run("calibrate", "--device", "ilgpu-cpu", "--quick", "--out", cal);
        Assert.AreEqual(0, code, err);
        StringAssert.Contains(output, "emulator times, not measurements");
        StringAssert.Contains(output, "self-check: stream, fill and GEMM kernels agree");
        var p = HardwareProfileLoader.Load(cal);
        Assert.AreEqual(Provenance.Calibrated, p.Provenance);
        StringAssert.StartsWith(p.Calibration!.Device, "ILGPU CPU: ");
        StringAssert.Contains(p.Calibration.Runtime, "ILGPU 1.5.3");
        StringAssert.Contains(p.Notes, "emulator");
        Assert.IsNull(p.OnChip, "the on-chip level is not measured on a device");
        Assert.IsGreaterThan(0, p.Peak(DType.Fp32) ?? 0);
        Assert.IsGreaterThan(0, p.DramBandwidthBytesPerSec);
        Assert.IsGreaterThan(0, p.KernelLaunchLatencySec ?? 0);
        var names = p.Calibration.Measurements.Select(m => m.Name).ToList();
        foreach (string n in new[] { "dram_read_bandwidth", "dram_copy_bandwidth", "dram_triad_bandwidth", "gemm_fp32_64x64x64", "launch_latency", "class_quantize", "class_quantize.per_channel", "class_dequantize", "class_remat", "class_attention" })
        {
            CollectionAssert.Contains(names, n);
        }

        (code, output, err) = Run("validate", "--device", "ilgpu-cpu", "--quick", "--calibration", cal, "--out", dir);
        Assert.AreEqual(0, code, err);
        StringAssert.Contains(output, "emulator times, not measurements");
        string[] kernels = File.ReadAllLines(Path.Combine(dir, "kernels.csv"));
        Assert.HasCount(8, kernels, string.Join("\n", kernels)); // header + 7 cases at one token count
        Assert.IsFalse(kernels.Any(l => l.StartsWith("attention_kivi", StringComparison.Ordinal) || l.StartsWith("attention_remat", StringComparison.Ordinal)));
        string summary = File.ReadAllText(Path.Combine(dir, "summary.csv"));
        StringAssert.Contains(summary, "all kernels,calibrated,7,");
        Assert.DoesNotContain("step", summary);
        Assert.HasCount(1, File.ReadAllLines(Path.Combine(dir, "steps.csv")), "steps.csv holds its header only");
        string md = File.ReadAllText(Path.Combine(dir, "validation.md"));
        StringAssert.Contains(md, "None: the decode engine runs on the CPU only");
        StringAssert.Contains(md, "no ILGPU version, so not validated here: attention_fp16, attention_kivi, attention_remat");
        StringAssert.Contains(md, "emulator times, not measurements");
    }

    [TestMethod]
    public void Cuda_WithoutAGpu_OneLineNamingDevice_Exit2_NoFile()
    {
        using var temp = new TempDir();
        string dir = temp.Path;
        string cal = Path.Combine(dir, "cal.json");
        var (code, _, err) = Run("calibrate", "--device", "cuda", "--out", cal);
        if (code == 0)
        {
            return; // a machine with an NVIDIA GPU: nothing to check here
        }
        Assert.AreEqual(2, code, err);
        Assert.HasCount(1, err.Trim().Split('\n'), err);
        StringAssert.StartsWith(err, "--device: cuda: no CUDA device found");
        Assert.IsFalse(File.Exists(cal), "no partial calibration file");

        string cudaCal = Path.Combine(dir, "cuda-cal.json");
        WriteCudaCalibration(cudaCal);
        string outDir = Path.Combine(dir, "out");
        (code, _, err) = Run("validate", "--device", "cuda", "--calibration", cudaCal, "--out", outDir);
        Assert.AreEqual(2, code, err);
        Assert.HasCount(1, err.Trim().Split('\n'), err);
        StringAssert.StartsWith(err, "--device: cuda: no CUDA device found");
        Assert.IsFalse(Directory.Exists(outDir), "no validation output");
    }

    [TestMethod]
    public void Validate_RejectsACalibrationFromAnotherDevice()
    {
        using var temp = new TempDir();
        string dir = temp.Path;
        string cudaCal = Path.Combine(dir, "cuda-cal.json");
        WriteCudaCalibration(cudaCal);
        var (code, _, err) = Run("validate", "--device", "cpu", "--calibration", cudaCal, "--out", dir);
        Assert.AreEqual(2, code);
        StringAssert.Contains(err, "was calibrated on 'ILGPU Cuda: Test GPU', not on --device cpu; run 'xqsim calibrate --device cpu'");
        Assert.IsFalse(File.Exists(Path.Combine(dir, "summary.csv")));
    }

    [TestMethod]
    public void DeviceGrid_IsTheCpuGridLessKernelsWithoutAnIlgpuVersion()
    {
        var plan = ValidationPlan.Quick;
        var cpu = Validator.KernelGrid(plan).Select(make => make()).Where(k => !DeviceValidator.WithoutIlgpuVersion.Contains(k.Kernel)).ToList();
        var device = new List<KernelCase>();
        foreach (var make in DeviceValidator.KernelGrid(plan))
        {
            using var d = make(KernelTestData.IlgpuCpuBench);
            device.Add(d.Case);
        }
        Assert.HasCount(cpu.Count, device);
        for (int i = 0; i < cpu.Count; i++)
        {
            Assert.AreEqual((cpu[i].Kernel, cpu[i].Class, cpu[i].Shape), (device[i].Kernel, device[i].Class, device[i].Shape), $"case {i}");
            CollectionAssert.AreEqual(cpu[i].Ops.Select(o => (o.Name, o.Flops, o.DramBytes)).ToList(), device[i].Ops.Select(o => (o.Name, o.Flops, o.DramBytes)).ToList(), cpu[i].Kernel);
            // The ILGPU quantizer is two launches (stats, then pack); every other case is one, as on the CPU.
            Assert.AreEqual(cpu[i].Kernel == "quantize" ? 2 : 1, device[i].Dispatches, cpu[i].Kernel);
        }
        var cpuKernels = Validator.KernelGrid(plan).Select(make => make().Kernel).Distinct().ToList();
        CollectionAssert.AreEquivalent(cpuKernels.Except(device.Select(k => k.Kernel)).ToList(), DeviceValidator.WithoutIlgpuVersion.ToList());
    }
}
