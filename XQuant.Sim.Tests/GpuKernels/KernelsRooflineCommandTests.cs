using XQuant.Sim.Cli;
using static XQuant.Sim.Tests.TestCli;

namespace XQuant.Sim.Tests.GpuKernels;

/// <summary>xqsim kernels --roofline: the CUDA run's code path, exercised on ILGPU's CPU accelerator, and its errors.</summary>
[TestClass]
public sealed class KernelsRooflineCommandTests
{
    private const string TinyShape = "tokens=40,d=32,dkv=16,headdim=8,g=16";

    [TestMethod]
    public void EmulatorRunChecksTheTiledKernelsAndPrintsFractions()
    {
        var (code, output, err) = Run("kernels", "--device", "ilgpu-cpu", "--shape", TinyShape, "--repeats", "1",
            "--roofline", "--roofline-shape", "tokens=70,d=32,dkv=16,headdim=8,group=2,g=16", "--profile", "h200");
        Assert.AreEqual(0, code, err);
        foreach (string row in new[] { "quantize X 4-bit per-token (tiled)", "quantize K 2-bit per-channel (tiled)" })
        {
            string line = output.Split('\n').Single(l => l.StartsWith(row, StringComparison.Ordinal));
            StringAssert.Contains(line, " yes ", line);
        }
        StringAssert.Contains(output, "remat [K|V] (tiled, shared memory)");
        StringAssert.Contains(output, "attention, XQuant V-absorbed (tiled)");
        Assert.DoesNotContain(" NO ", output);
        StringAssert.Contains(output, "emulator: these times are of ILGPU's CPU accelerator");
        StringAssert.Contains(output, "limits (datasheet, h200: NVIDIA H200 SXM 141GB): DRAM 4800 GB/s, FP32 67.0 TFLOP/s");
        StringAssert.Contains(output, "%roofline");
        // The remat row: 70 x 32 x 32 x 2 flops; bytes: 4-bit codes 70 x 16 + 4 x 70 x 2 groups, W 32 x 32 x 4, out 70 x 32 x 4.
        string remat = output.Split('\n').Single(l => l.StartsWith("remat [K|V] = deQ(X) [Wk|Wv]", StringComparison.Ordinal) && l.Contains("splits", StringComparison.Ordinal));
        StringAssert.Contains(remat, " 0.0001434 ", remat);
        StringAssert.Contains(remat, " 0.01474 ", remat);
    }

    [TestMethod]
    public void RooflineOnTheFastCpuPathIsOneLineAndExit2()
    {
        var (code, output, err) = Run("kernels", "--device", "cpu", "--roofline");
        Assert.AreEqual(2, code);
        Assert.AreEqual("", output);
        Assert.AreEqual(1, err.Trim().Split('\n').Length, err);
        StringAssert.Contains(err, "--roofline: needs an ILGPU device");
    }

    [TestMethod]
    public void CudaRooflineWithoutADeviceIsOneLineAndExit2()
    {
        var (code, _, err) = Run("kernels", "--device", "cuda", "--roofline", "--repeats", "1");
        if (code == 0)
        {
            return; // a machine with an NVIDIA GPU: the run itself is the check
        }
        Assert.AreEqual(2, code);
        Assert.AreEqual(1, err.Trim().Split('\n').Length, err);
        StringAssert.Contains(err, "--device: cuda: no CUDA device found");
    }

    [TestMethod]
    public void BadProfileAndShapeAreReportedBeforeAnyDeviceWork()
    {
        var (code, output, err) = Run("kernels", "--device", "ilgpu-cpu", "--roofline", "--profile", "no-such-gpu", "--roofline-shape", "tokens=0,zz=1");
        Assert.AreEqual(2, code);
        Assert.AreEqual("", output);
        StringAssert.Contains(err, "--profile: hardware 'no-such-gpu' not found");
        StringAssert.Contains(err, "--roofline-shape: zz: unknown key");
        StringAssert.Contains(err, "--roofline-shape: tokens=0");
    }

    [TestMethod]
    public void ShapesBeyondThirtyTwoBitIndicesAreRejected()
    {
        var (code, output, err) = Run("kernels", "--device", "ilgpu-cpu", "--roofline", "--roofline-shape", "tokens=1048576,d=4096");
        Assert.AreEqual(2, code);
        Assert.AreEqual("", output);
        Assert.AreEqual(1, err.Trim().Split('\n').Length, err);
        StringAssert.Contains(err, "--roofline-shape: tokens x d = 4294967296 elements");
    }

    [TestMethod]
    public void ProfilesAreMatchedByDeviceName()
    {
        Assert.AreEqual("h200", KernelsRoofline.Match("NVIDIA H200"));
        Assert.AreEqual("h100-sxm", KernelsRoofline.Match("NVIDIA H100 80GB HBM3"));
        Assert.AreEqual("h100-pcie", KernelsRoofline.Match("NVIDIA H100 PCIe"));
        Assert.IsNull(KernelsRoofline.Match("CPUAccelerator"));
    }
}
