using System.Runtime.Intrinsics;

namespace XQuant.Kernels.Engine;

/// <summary>STREAM-style bandwidth kernels (read, copy, triad) used by calibration: parallel over cores, Vector512.</summary>
public static class StreamKernels
{
    /// <summary>Parallel vectorized sum of a[0..n): the streaming-read kernel.</summary>
    public static unsafe float Read(float[] a, long n)
    {
        int chunks = Environment.ProcessorCount * 8; // small chunks balance the load when one core is briefly taken by another process
        var partial = new float[chunks];
        fixed (float* pa = a)
        {
            nint addr = (nint)pa;
            Parallel.For(0, chunks, c =>
            {
                float* p = (float*)addr;
                long i0 = n * c / chunks / 64 * 64, i1 = c == chunks - 1 ? n : n * (c + 1) / chunks / 64 * 64;
                var s0 = Vector512<float>.Zero;
                var s1 = Vector512<float>.Zero;
                var s2 = Vector512<float>.Zero;
                var s3 = Vector512<float>.Zero;
                long i = i0;
                for (; i + 64 <= i1; i += 64)
                {
                    s0 += Vector512.Load(p + i);
                    s1 += Vector512.Load(p + i + 16);
                    s2 += Vector512.Load(p + i + 32);
                    s3 += Vector512.Load(p + i + 48);
                }
                float s = Vector512.Sum(s0 + s1 + s2 + s3);
                for (; i < i1; i++)
                {
                    s += p[i];
                }
                partial[c] = s;
            });
        }
        return partial.Sum();
    }

    /// <summary>b = a (STREAM copy), parallel, vectorized.</summary>
    public static unsafe void Copy(float[] a, float[] b) => Streams(a, b, b, 0f, copy: true);

    /// <summary>a = b + s c (STREAM triad), parallel, vectorized.</summary>
    public static unsafe void Triad(float[] a, float[] b, float[] c, float s) => Streams(b, c, a, s, copy: false);

    private static unsafe void Streams(float[] x, float[] y, float[] dst, float s, bool copy)
    {
        int chunks = Environment.ProcessorCount * 8; // small chunks balance the load when one core is briefly taken by another process
        long n = dst.LongLength;
        fixed (float* px = x, py = y, pd = dst)
        {
            nint ax = (nint)px, ay = (nint)py, ad = (nint)pd;
            Parallel.For(0, chunks, c =>
            {
                float* xp = (float*)ax, yp = (float*)ay, dp = (float*)ad;
                long i0 = n * c / chunks / 16 * 16, i1 = c == chunks - 1 ? n : n * (c + 1) / chunks / 16 * 16;
                var vs = Vector512.Create(s);
                long i = i0;
                if (copy)
                {
                    for (; i + 16 <= i1; i += 16)
                    {
                        Vector512.Load(xp + i).Store(dp + i);
                    }
                    for (; i < i1; i++)
                    {
                        dp[i] = xp[i];
                    }
                    return;
                }
                for (; i + 16 <= i1; i += 16)
                {
                    Vector512.FusedMultiplyAdd(vs, Vector512.Load(yp + i), Vector512.Load(xp + i)).Store(dp + i);
                }
                for (; i < i1; i++)
                {
                    dp[i] = xp[i] + (s * yp[i]);
                }
            });
        }
    }
}
