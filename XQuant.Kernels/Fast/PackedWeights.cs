namespace XQuant.Kernels.Fast;

/// <summary>
/// A k x n weight matrix reordered once for the blocked GEMM (weights are static, so this is an offline step,
/// like a BLAS library's packed B): for each block of <see cref="Kc"/> rows, the columns are cut into panels
/// of <see cref="Nr"/> (zero-padded), each panel stored contiguously row by row, so the micro-kernel streams it.
/// </summary>
public sealed class PackedWeights
{
    public const int Kc = 256;
    public const int Nr = 32;

    public PackedWeights(ReadOnlySpan<float> w, int k, int n)
    {
        if (w.Length != (long)k * n)
        {
            throw new ArgumentException($"weights have {w.Length} elements, expected {k} x {n}", nameof(w));
        }
        Rows = k;
        Columns = n;
        Panels = (n + Nr - 1) / Nr;
        PaddedN = Panels * Nr;
        Data = new float[(long)k * PaddedN];
        for (int pc = 0; pc < k; pc += Kc)
        {
            int kc = Math.Min(Kc, k - pc);
            for (int jp = 0; jp < Panels; jp++)
            {
                long baseIndex = BlockOffset(pc, jp, kc);
                int j0 = jp * Nr, nj = Math.Min(Nr, n - j0);
                for (int p = 0; p < kc; p++)
                {
                    w.Slice(((pc + p) * n) + j0, nj).CopyTo(Data.AsSpan((int)(baseIndex + ((long)p * Nr)), nj));
                }
            }
        }
    }

    /// <summary>Rows of the original matrix (the GEMM's inner dimension).</summary>
    public int Rows { get; }

    /// <summary>Columns of the original matrix (outputs).</summary>
    public int Columns { get; }

    public int Panels { get; }

    public int PaddedN { get; }

    public float[] Data { get; }

    /// <summary>Where panel <paramref name="panel"/> of the k-block starting at row <paramref name="pc"/> begins.</summary>
    public long BlockOffset(int pc, int panel, int kc) => ((long)pc * PaddedN) + ((long)panel * kc * Nr);
}
