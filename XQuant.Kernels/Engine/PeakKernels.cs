using System.Runtime.Intrinsics;

namespace XQuant.Kernels.Engine;

/// <summary>
/// The machine's arithmetic ceiling: fused multiply-adds on registers only (no loads or stores), one loop per core,
/// enough independent accumulators to cover the FMA latency on two pipes. What no GEMM can beat on this host.
/// </summary>
public static class PeakKernels
{
    /// <summary>Independent 512-bit accumulators per thread: 4-cycle latency x 2 FMA pipes needs 8; 12 leaves slack.</summary>
    public const int Accumulators = 12;

    /// <summary>FLOPs one call of <see cref="Fma"/> performs: threads x iterations x accumulators x 16 lanes x 2.</summary>
    public static double Flops(int threads, long iterations) => threads * (double)iterations * Accumulators * Vector512<float>.Count * 2;

    /// <summary>Runs <paramref name="iterations"/> rounds of <see cref="Accumulators"/> FMAs on each of <paramref name="threads"/> threads; returns a checksum so the work is kept.</summary>
    public static float Fma(int threads, long iterations)
    {
        var sums = new float[threads];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => sums[t] = FmaLoop(iterations, t));
        return sums.Sum();
    }

    private static float FmaLoop(long iterations, int seed)
    {
        // Multiplier just below 1 and addend tiny: the values stay finite for any iteration count (no denormals, no Inf).
        var m = Vector512.Create(0.9999999f);
        var add = Vector512.Create(1e-7f * (seed + 1));
        var a0 = Vector512.Create(1f);
        var a1 = Vector512.Create(1.1f);
        var a2 = Vector512.Create(1.2f);
        var a3 = Vector512.Create(1.3f);
        var a4 = Vector512.Create(1.4f);
        var a5 = Vector512.Create(1.5f);
        var a6 = Vector512.Create(1.6f);
        var a7 = Vector512.Create(1.7f);
        var a8 = Vector512.Create(1.8f);
        var a9 = Vector512.Create(1.9f);
        var a10 = Vector512.Create(2.0f);
        var a11 = Vector512.Create(2.1f);
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, add);
            a1 = Vector512.FusedMultiplyAdd(a1, m, add);
            a2 = Vector512.FusedMultiplyAdd(a2, m, add);
            a3 = Vector512.FusedMultiplyAdd(a3, m, add);
            a4 = Vector512.FusedMultiplyAdd(a4, m, add);
            a5 = Vector512.FusedMultiplyAdd(a5, m, add);
            a6 = Vector512.FusedMultiplyAdd(a6, m, add);
            a7 = Vector512.FusedMultiplyAdd(a7, m, add);
            a8 = Vector512.FusedMultiplyAdd(a8, m, add);
            a9 = Vector512.FusedMultiplyAdd(a9, m, add);
            a10 = Vector512.FusedMultiplyAdd(a10, m, add);
            a11 = Vector512.FusedMultiplyAdd(a11, m, add);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
