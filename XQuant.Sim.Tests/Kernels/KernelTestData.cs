using XQuant.Kernels.Metrics;
using XQuant.Kernels.Ilgpu;

namespace XQuant.Sim.Tests.Kernels;

/// <summary>Seeded data and one shared ILGPU CPU accelerator (creating one costs about a second).</summary>
internal static class KernelTestData
{
    private static readonly Lazy<KernelRunner> Runner = new(() => KernelRunner.Create(DeviceChoice.IlgpuCpu));

    public static KernelRunner IlgpuCpu => Runner.Value;

    // Shares the accelerator above; the bench would dispose it, but test singletons live until the process ends.
    private static readonly Lazy<DeviceBench> Bench = new(() => new DeviceBench(IlgpuCpu));

    /// <summary>The device microbenchmarks on ILGPU's CPU accelerator.</summary>
    public static DeviceBench IlgpuCpuBench => Bench.Value;

    /// <summary>Uniform values in [-scale, scale] with a few large outliers, like activations.</summary>
    public static float[] Random(int count, int seed, float scale = 1f)
    {
        var rng = new Random(seed);
        var x = new float[count];
        for (int i = 0; i < count; i++)
        {
            x[i] = ((rng.NextSingle() * 2f) - 1f) * scale;
            if (rng.Next(50) == 0)
            {
                x[i] *= 20f;
            }
        }
        return x;
    }

    public static double RelativeError(float[] expected, float[] actual) => ErrorMetrics.RelativeFrobenius(expected, actual);
}
