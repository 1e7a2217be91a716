using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using XQuant.Kernels.Ilgpu;
using XQuant.Kernels.Ilgpu.Tiled;

namespace XQuant.Sim.Tests.GpuKernels;

/// <summary>
/// The CUDA path without a GPU: every tiled kernel compiles to PTX for sm_90 with ILGPU's PTX backend (what the CUDA
/// accelerator does before the driver's JIT), and the PTX has the properties the design and the predictions in
/// docs/kernels.md rest on.
/// </summary>
[TestClass]
public sealed class TiledPtxTests
{
    private static readonly Lazy<Dictionary<string, string>> Ptx = new(Compile);

    [TestMethod]
    public void EveryTiledKernelCompilesForSm90()
    {
        Assert.HasCount(Grouped.Length + Implicit.Length, Ptx.Value);
        foreach (var (name, ptx) in Ptx.Value)
        {
            StringAssert.Contains(ptx, ".entry", name);
            // ILGPU 1.5.3 targets sm_80 PTX for sm_90 devices; the driver JIT-compiles it forward (PTX is forward compatible).
            StringAssert.Contains(ptx, ".target sm_", name);
        }
    }

    [TestMethod]
    public void QuantizeKernelsUseSixteenByteLoadsAndIeeeDivision()
    {
        foreach (string name in new[] { nameof(TiledKernels.QuantizePerTokenTeams), nameof(TiledKernels.QuantizePerChannelTiles) })
        {
            string ptx = Ptx.Value[name];
            StringAssert.Contains(ptx, "ld.global.v4.f32", name);
            Assert.DoesNotContain("\tld.f32", ptx, name + ": a generic load (address space not inferred)");
            // Codes and scales are bit-identical on a GPU only with a correctly rounded division and no multiply the
            // PTX assembler could fuse into an FMA: the code is (x - zero) / scale + 0.5.
            StringAssert.Contains(ptx, "div.rn.f32", name);
            Assert.DoesNotContain("div.approx", ptx, name);
            Assert.DoesNotContain("div.full", ptx, name);
            Assert.DoesNotContain("fma.", ptx, name);
        }
    }

    [TestMethod]
    public void DequantGemmStagesBothTilesInSharedMemoryAndSynchronizes()
    {
        string ptx = Ptx.Value[nameof(TiledKernels.DequantGemm)];
        // A: 16 x 65 floats (one of padding per row), B: 16 x 64, row scales and zeros: 64 each.
        StringAssert.Contains(ptx, ".shared .align 4 .b8 __shared_alloca0[4160]");
        StringAssert.Contains(ptx, "[4096]");
        StringAssert.Contains(ptx, "bar.sync");
        StringAssert.Contains(ptx, "ld.shared.f32");
    }

    [TestMethod]
    public void TheOtherIlgpuKernelsCompileAtTheSameLevel()
    {
        // KernelRunner.Create's O2 applies to every ILGPU kernel: the correctness kernels and the calibration ones too.
        using var context = Context.Create(b => b.Optimize(KernelRunner.Optimization).EnableAlgorithms());
        var backend = new PTXBackend(context, CudaArchitecture.SM_90, CudaInstructionSet.ISA_78, null!);
        var kernels = new[] { "StatsPerToken", "StatsPerChannel", "PackRows", "DequantRows", "Remat", "Attention" }.Select(n => typeof(IlgpuKernels).GetMethod(n)!)
            .Concat(new[] { "ReadSum", "Copy", "Triad", "Fill", "Empty" }.Select(n => typeof(BenchKernels).GetMethod(n)!));
        foreach (var method in kernels)
        {
            string ptx = ((PTXCompiledKernel)backend.Compile(EntryPointDescription.FromImplicitlyGroupedKernel(method), default(KernelSpecialization))).PTXAssembly;
            StringAssert.Contains(ptx, ".entry", method.Name);
        }
        var gemm = typeof(BenchKernels).GetMethod(nameof(BenchKernels.GemmTiled))!;
        StringAssert.Contains(((PTXCompiledKernel)backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(gemm), default(KernelSpecialization))).PTXAssembly, "bar.sync");
    }

    private static readonly string[] Grouped = [nameof(TiledKernels.DequantGemm), nameof(TiledKernels.QuantizePerTokenTeams), nameof(TiledKernels.QuantizePerChannelTiles), nameof(TiledKernels.SoftmaxRows)];

    private static readonly string[] Implicit = [nameof(TiledKernels.SumSplits), nameof(TiledKernels.Scores), nameof(TiledKernels.AbsorbedOutput), nameof(TiledKernels.StatsPerToken), nameof(TiledKernels.StatsPerChannel), nameof(TiledKernels.PackUnits)];

    private static Dictionary<string, string> Compile()
    {
        // The context KernelRunner.Create builds for a device (its optimization level), without the device.
        using var context = Context.Create(b => b.Optimize(KernelRunner.Optimization).EnableAlgorithms());
        var backend = new PTXBackend(context, CudaArchitecture.SM_90, CudaInstructionSet.ISA_78, null!);
        var result = new Dictionary<string, string>();
        foreach (string name in Grouped.Concat(Implicit))
        {
            var method = typeof(TiledKernels).GetMethod(name)!;
            var entry = Grouped.Contains(name) ? EntryPointDescription.FromExplicitlyGroupedKernel(method) : EntryPointDescription.FromImplicitlyGroupedKernel(method);
            result[name] = ((PTXCompiledKernel)backend.Compile(entry, default(KernelSpecialization))).PTXAssembly;
        }
        return result;
    }
}
