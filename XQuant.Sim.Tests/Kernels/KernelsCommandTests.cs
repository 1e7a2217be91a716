using static XQuant.Sim.Tests.TestCli;

namespace XQuant.Sim.Tests.Kernels;

[TestClass]
public sealed class KernelsCommandTests
{
    [TestMethod]
    public void CpuRunChecksEveryKernel()
    {
        var (code, output, err) = Run("kernels", "--device", "cpu", "--shape", "tokens=80,d=64,dkv=32,headdim=16,g=32", "--repeats", "1");
        Assert.AreEqual(0, code, err);
        StringAssert.Contains(output, "device: CPU: fast path");
        StringAssert.Contains(output, "quantize X 4-bit per-token");
        StringAssert.Contains(output, "attention, XQuant V-absorbed");
        Assert.DoesNotContain(" NO ", output);
    }

    [TestMethod]
    public void CudaWithoutADeviceIsOneLineAndExit2()
    {
        var (code, _, err) = Run("kernels", "--device", "cuda", "--repeats", "1");
        if (code == 0)
        {
            return; // a machine with an NVIDIA GPU: nothing to check here
        }
        Assert.AreEqual(2, code);
        Assert.AreEqual(1, err.Trim().Split('\n').Length, err);
        StringAssert.Contains(err, "--device: cuda: no CUDA device found");
    }

    [TestMethod]
    public void BadArgumentsAreAllReported()
    {
        var (code, _, err) = Run("kernels", "--device", "tpu", "--shape", "tokens=0,zz=3,d=q");
        Assert.AreEqual(2, code);
        StringAssert.Contains(err, "'tpu' is not a device");
        StringAssert.Contains(err, "zz: unknown key");
        StringAssert.Contains(err, "d=q: expected key=integer");
        StringAssert.Contains(err, "tokens=0");
    }
}
