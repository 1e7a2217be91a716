using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using XQuant.Kernels.Ilgpu;
using XQuant.Kernels.Reference;

namespace XQuant.Sim.Tests.Kernels;

/// <summary>The device microbenchmark kernels (stream, fill, empty, tiled GEMM) on ILGPU's CPU accelerator vs their scalar twins.</summary>
[TestClass]
public sealed class DeviceBenchTests
{
    private static DeviceBench B => KernelTestData.IlgpuCpuBench;

    [TestMethod]
    public void ReadPartials_EqualTheScalarTwinExactly()
    {
        int t = B.StreamThreads;
        foreach (int n in new[] { 1, t - 1, (4 * t) + 5, (9 * t) + 3 })
        {
            var x = KernelTestData.Random(n, n);
            CollectionAssert.AreEqual(ScalarReference.ReadSumPartials(x, t), B.ReadPartials(x), $"n={n}");
        }
    }

    [TestMethod]
    public void ReadPartials_SumToTheTotal_HandChecked()
    {
        // 1..n: every element is counted once, whatever the stride.
        int n = (5 * B.StreamThreads) + 3;
        var x = Enumerable.Range(1, n).Select(i => (float)i).ToArray();
        Assert.AreEqual(n * (n + 1.0) / 2, B.ReadPartials(x).Sum(p => (double)p), 1e-9);
    }

    [TestMethod]
    public void CopyAndTriad_MatchTheScalarLoop()
    {
        int n = (7 * B.StreamThreads) + 2;
        var x = KernelTestData.Random(n, 1);
        var y = KernelTestData.Random(n, 2);
        CollectionAssert.AreEqual(x, B.Copy(x));
        var expected = new float[n];
        for (int i = 0; i < n; i++)
        {
            expected[i] = x[i] + (-1.5f * y[i]);
        }
        CollectionAssert.AreEqual(expected, B.Triad(x, y, -1.5f));
    }

    [TestMethod]
    public void Fill_IsTheHashOnEveryDevice()
    {
        var x = B.Fill(1000, 42);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.AreEqual(BenchKernels.FillValue(i, 42), x[i], $"element {i}");
            Assert.IsTrue(x[i] >= -1f && x[i] < 1f, $"element {i} = {x[i]} is outside [-1, 1)");
        }
        Assert.AreNotEqual(x[0], B.Fill(1, 43)[0]);
    }

    [TestMethod]
    public void Gemm_HandCheckedCase()
    {
        // [1 2 3; 4 5 6] x [7 8; 9 10; 11 12] = [58 64; 139 154]
        float[] a = [1, 2, 3, 4, 5, 6];
        float[] b = [7, 8, 9, 10, 11, 12];
        CollectionAssert.AreEqual(new float[] { 58, 64, 139, 154 }, B.Gemm(a, b, 2, 3, 2));
    }

    [TestMethod]
    [DataRow(1, 1, 1, DisplayName = "1x1x1")]
    [DataRow(16, 16, 16, DisplayName = "one emulator block, one k-slice")]
    [DataRow(67, 45, 83, DisplayName = "partial blocks and a partial k-slice")]
    [DataRow(33, 70, 17, DisplayName = "k beyond four slices")]
    public void Gemm_MatchesTheScalarTwin(int m, int k, int n)
    {
        var a = KernelTestData.Random(m * k, 3);
        var b = KernelTestData.Random(k * n, 4);
        Assert.IsLessThan(1e-5, KernelTestData.RelativeError(ScalarReference.Gemm(a, b, m, k, n), B.Gemm(a, b, m, k, n)));
    }

    [TestMethod]
    public void Gemm_WithTheGpuGroupShape_MatchesTheScalarTwin()
    {
        // The default emulator allows 16 threads per group (4 x 4); a GPU runs 16 x 16 with 64 x 64 blocks and the
        // padded A tile fully used. An emulated device with 256 threads per group runs that configuration here.
        using var context = Context.Create(b => b.CPU(new CPUDevice(numThreadsPerWarp: 32, numWarpsPerMultiprocessor: 8, numMultiprocessors: 1)));
        using var acc = context.GetCPUDevice(0).CreateAccelerator(context);
        var gemm = acc.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>(BenchKernels.GemmTiled);
        const int m = 130, k = 37, n = 70, side = 16, block = BenchKernels.GemmPerThread * side;
        Assert.IsGreaterThanOrEqualTo(side * side, acc.MaxNumThreadsPerGroup);
        var a = KernelTestData.Random(m * k, 5);
        var b = KernelTestData.Random(k * n, 6);
        using var da = acc.Allocate1D(a);
        using var db = acc.Allocate1D(b);
        using var dc = acc.Allocate1D<float>(m * n);
        gemm(new KernelConfig(new Index2D((n + block - 1) / block, (m + block - 1) / block), new Index2D(side, side)), da.View, db.View, dc.View, m, k, n);
        acc.Synchronize();
        Assert.IsLessThan(1e-5, KernelTestData.RelativeError(ScalarReference.Gemm(a, b, m, k, n), dc.GetAsArray1D()));
    }

    [TestMethod]
    public void SelfCheck_FindsNoProblem()
    {
        var problems = B.SelfCheck();
        Assert.AreEqual(0, problems.Count, string.Join("\n", problems));
    }

    [TestMethod]
    public void TimedCases_RunOnDeviceResidentBuffers()
    {
        Assert.IsTrue(B.IsEmulator);
        Assert.AreEqual(0, B.EvictBytes, "the emulator has no device cache to evict");
        using var read = B.ReadCase(4 * B.StreamThreads);
        using var gemm = B.GemmCase(20, 30, 40);
        using var empty = B.EmptyCase();
        foreach (var c in new[] { read, gemm, empty })
        {
            var times = B.Time(c.Run, reps: 3, warmups: 1);
            Assert.AreEqual(3, times.Count);
            Assert.IsTrue(times.All(t => t > 0), string.Join(", ", times));
        }
    }

    [TestMethod]
    public void StreamViewsOfDifferentLengths_AreRejected()
    {
        using var a = B.Accelerator.Allocate1D<float>(10);
        using var b = B.Accelerator.Allocate1D<float>(11);
        Assert.ThrowsExactly<ArgumentException>(() => B.LaunchCopy(a.View, b.View));
    }
}
