using XQuant.Kernels.Ilgpu.Tiled;
using XQuant.Sim.Tests.Kernels;

namespace XQuant.Sim.Tests.GpuKernels;

/// <summary>One <see cref="TiledRunner"/> on the shared ILGPU CPU accelerator (the emulator that runs the GPU code).</summary>
internal static class TiledTestData
{
    private static readonly Lazy<TiledRunner> Runner = new(() => new TiledRunner(KernelTestData.IlgpuCpu.Accelerator));

    public static TiledRunner Tiled => Runner.Value;
}
