using ILGPU;

namespace XQuant.Kernels.Ilgpu;

/// <summary>
/// The ILGPU microbenchmark kernels of device calibration: STREAM read, copy and triad, a fill, an empty kernel
/// and a shared-memory tiled fp32 GEMM. Static methods over views and scalars, like <see cref="IlgpuKernels"/>.
/// The stream kernels are grid-stride: thread i touches i, i + stride, i + 2 stride, ... (stride = threads
/// launched), so the 32 threads of a warp touch 32 adjacent floats and their loads coalesce into whole lines.
/// Each iteration issues four independent loads: with one dependent load per thread at a time, a full GPU keeps
/// too few bytes in flight to approach DRAM bandwidth (Little's law).
/// Scalar twins: <see cref="Reference.ScalarReference.ReadSumPartials"/>, <see cref="Reference.ScalarReference.Gemm"/>.
/// </summary>
public static class BenchKernels
{
    /// <summary>Rows of A (and columns of B) a GEMM group stages per step.</summary>
    public const int GemmTileK = 16;

    /// <summary>Largest C block of one group: 16 x 16 threads, 4 x 4 outputs each.</summary>
    public const int GemmMaxBlock = 64;

    /// <summary>Outputs per thread along each axis of the C block.</summary>
    public const int GemmPerThread = 4;

    // The A tile is stored transposed ([kk][row]) with one float of padding per row, so the 16 threads that store
    // one row's 16 k-values hit 16 different shared-memory banks.
    private const int GemmAStride = GemmMaxBlock + 1;

    /// <summary>Read: partials[i] = sum of x[i + j stride] over j, accumulated in four lanes (see the scalar twin).</summary>
    public static void ReadSum(Index1D i, ArrayView<float> x, int n, int stride, ArrayView<float> partials)
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

    /// <summary>Copy: dst[j] = src[j] for j &lt; n.</summary>
    public static void Copy(Index1D i, ArrayView<float> src, ArrayView<float> dst, int n, int stride)
    {
        int j = i;
        for (; j + (3 * stride) < n; j += 4 * stride)
        {
            float v0 = src[j], v1 = src[j + stride], v2 = src[j + (2 * stride)], v3 = src[j + (3 * stride)];
            dst[j] = v0;
            dst[j + stride] = v1;
            dst[j + (2 * stride)] = v2;
            dst[j + (3 * stride)] = v3;
        }
        for (; j < n; j += stride)
        {
            dst[j] = src[j];
        }
    }

    /// <summary>Triad: a[j] = b[j] + s c[j] for j &lt; n.</summary>
    public static void Triad(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, float s, int n, int stride)
    {
        int j = i;
        for (; j + (3 * stride) < n; j += 4 * stride)
        {
            float b0 = b[j], b1 = b[j + stride], b2 = b[j + (2 * stride)], b3 = b[j + (3 * stride)];
            float c0 = c[j], c1 = c[j + stride], c2 = c[j + (2 * stride)], c3 = c[j + (3 * stride)];
            a[j] = b0 + (s * c0);
            a[j + stride] = b1 + (s * c1);
            a[j + (2 * stride)] = b2 + (s * c2);
            a[j + (3 * stride)] = b3 + (s * c3);
        }
        for (; j < n; j += stride)
        {
            a[j] = b[j] + (s * c[j]);
        }
    }

    /// <summary>Fills x[0..n) with <see cref="FillValue"/>: inputs made on the device (no host copy) and cache eviction.</summary>
    public static void Fill(Index1D i, ArrayView<float> x, int n, int stride, int seed)
    {
        for (int j = i; j < n; j += stride)
        {
            x[j] = FillValue(j, seed);
        }
    }

    /// <summary>A hash of (index, seed) mapped to [-1, 1): cheap, deterministic, the same on every device.</summary>
    public static float FillValue(int index, int seed)
    {
        uint h = ((uint)index * 2654435761u) ^ ((uint)seed * 2246822519u);
        h ^= h >> 15;
        h *= 2246822519u;
        h ^= h >> 13;
        return ((h >> 8) * (2f / 16777216f)) - 1f;
    }

    /// <summary>Does nothing: launch + synchronize of this kernel is the launch latency.</summary>
    public static void Empty(Index1D i, int unused)
    {
    }

    /// <summary>
    /// C (m x n) = A (m x k) B (k x n), all row-major fp32; an explicitly grouped kernel. A group of DimX x DimY
    /// threads (at most 16 x 16) computes a (4 DimY) x (4 DimX) block of C, staging 16-deep slices of A and B in
    /// shared memory. Thread (tx, ty) owns rows ty + r DimY and columns tx + c DimX (r, c = 0..3): adjacent threads
    /// read adjacent B columns from shared memory (no bank conflicts) and write adjacent C columns (coalesced).
    /// Out-of-range elements are staged as zeros, so any m, k, n works.
    /// </summary>
    public static void GemmTiled(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, int m, int k, int n)
    {
        var aTile = SharedMemory.Allocate<float>(GemmTileK * GemmAStride);
        var bTile = SharedMemory.Allocate<float>(GemmTileK * GemmMaxBlock);
        int tx = Group.IdxX, ty = Group.IdxY, dx = Group.DimX, dy = Group.DimY;
        int blockRows = GemmPerThread * dy, blockCols = GemmPerThread * dx;
        int row0 = Grid.IdxY * blockRows, col0 = Grid.IdxX * blockCols;
        int tid = (ty * dx) + tx, threads = dx * dy;
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
        float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
        float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
        for (int k0 = 0; k0 < k; k0 += GemmTileK)
        {
            for (int e = tid; e < blockRows * GemmTileK; e += threads)
            {
                int r = e / GemmTileK, kk = e % GemmTileK;
                int gr = row0 + r, gk = k0 + kk;
                aTile[(kk * GemmAStride) + r] = gr < m && gk < k ? a[(gr * k) + gk] : 0f;
            }
            for (int e = tid; e < GemmTileK * blockCols; e += threads)
            {
                int kk = e / blockCols, col = e % blockCols;
                int gk = k0 + kk, gc = col0 + col;
                bTile[(kk * GemmMaxBlock) + col] = gk < k && gc < n ? b[(gk * n) + gc] : 0f;
            }
            Group.Barrier();
            for (int kk = 0; kk < GemmTileK; kk++)
            {
                int ab = (kk * GemmAStride) + ty, bb = (kk * GemmMaxBlock) + tx;
                float a0 = aTile[ab], a1 = aTile[ab + dy], a2 = aTile[ab + (2 * dy)], a3 = aTile[ab + (3 * dy)];
                float b0 = bTile[bb], b1 = bTile[bb + dx], b2 = bTile[bb + (2 * dx)], b3 = bTile[bb + (3 * dx)];
                c00 += a0 * b0;
                c01 += a0 * b1;
                c02 += a0 * b2;
                c03 += a0 * b3;
                c10 += a1 * b0;
                c11 += a1 * b1;
                c12 += a1 * b2;
                c13 += a1 * b3;
                c20 += a2 * b0;
                c21 += a2 * b1;
                c22 += a2 * b2;
                c23 += a2 * b3;
                c30 += a3 * b0;
                c31 += a3 * b1;
                c32 += a3 * b2;
                c33 += a3 * b3;
            }
            Group.Barrier();
        }
        int row = row0 + ty, col0t = col0 + tx;
        StoreRow(c, m, n, row, col0t, dx, c00, c01, c02, c03);
        StoreRow(c, m, n, row + dy, col0t, dx, c10, c11, c12, c13);
        StoreRow(c, m, n, row + (2 * dy), col0t, dx, c20, c21, c22, c23);
        StoreRow(c, m, n, row + (3 * dy), col0t, dx, c30, c31, c32, c33);
    }

    /// <summary>Writes one thread's four outputs of a C row (columns col, col + dx, ...), skipping those outside m x n.</summary>
    private static void StoreRow(ArrayView<float> c, int m, int n, int row, int col, int dx, float v0, float v1, float v2, float v3)
    {
        if (row >= m)
        {
            return;
        }
        int rb = row * n;
        if (col < n)
        {
            c[rb + col] = v0;
        }
        if (col + dx < n)
        {
            c[rb + col + dx] = v1;
        }
        if (col + (2 * dx) < n)
        {
            c[rb + col + (2 * dx)] = v2;
        }
        if (col + (3 * dx) < n)
        {
            c[rb + col + (3 * dx)] = v3;
        }
    }
}
