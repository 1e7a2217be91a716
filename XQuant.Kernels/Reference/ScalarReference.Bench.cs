namespace XQuant.Kernels.Reference;

public static partial class ScalarReference
{
    /// <summary>
    /// What <see cref="Ilgpu.BenchKernels.ReadSum"/> computes, in the same float order: thread i's partial is
    /// (s0 + s1) + (s2 + s3), where lane l sums x[i + (4 j + l) stride] over the full groups of four strides, and
    /// s0 also takes the tail. So the kernel's partials must equal these exactly.
    /// </summary>
    public static float[] ReadSumPartials(ReadOnlySpan<float> x, int stride)
    {
        int n = x.Length;
        var partials = new float[stride];
        for (int i = 0; i < stride; i++)
        {
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            int j = i;
            for (; j + (3 * stride) < n; j += 4 * stride)
            {
                s0 += x[j];
                s1 += x[j + stride];
                s2 += x[j + (2 * stride)];
                s3 += x[j + (3 * stride)];
            }
            for (; j < n; j += stride)
            {
                s0 += x[j];
            }
            partials[i] = (s0 + s1) + (s2 + s3);
        }
        return partials;
    }

    /// <summary>C = A B for row-major A (m x k) and B (k x n), accumulated in double: the exact product up to one rounding.</summary>
    public static float[] Gemm(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int k, int n)
    {
        var c = new float[(long)m * n];
        for (int r = 0; r < m; r++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                {
                    s += (double)a[(r * k) + p] * b[(p * n) + j];
                }
                c[(r * n) + j] = (float)s;
            }
        }
        return c;
    }
}
