using XQuant.Kernels.Ilgpu;

namespace XQuant.Sim.Tests.Kernels;

/// <summary>Seeded data and one shared ILGPU CPU accelerator (creating one costs about a second).</summary>
internal static class KernelTestData
{
    private static readonly Lazy<KernelRunner> Runner = new(() => KernelRunner.Create(DeviceChoice.IlgpuCpu));

    public static KernelRunner IlgpuCpu => Runner.Value;

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

    public static double RelativeError(float[] expected, float[] actual)
    {
        Assert.AreEqual(expected.Length, actual.Length, "lengths differ");
        double num = 0, den = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = (double)expected[i] - actual[i];
            num += e * e;
            den += (double)expected[i] * expected[i];
        }
        return Math.Sqrt(num / Math.Max(den, 1e-300));
    }
}
