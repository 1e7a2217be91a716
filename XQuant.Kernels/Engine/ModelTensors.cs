namespace XQuant.Kernels.Engine;

/// <summary>
/// One decoder layer's weights as plain row-major matrices in the engine's x W orientation (rows = inputs, columns =
/// outputs): Wq d x q_dim, Wk and Wv d x kv_dim, Wo q_dim x d, Gate and Up d x f, Down f x d. A Hugging Face
/// Linear weight ([out, in]) is the transpose.
/// </summary>
public sealed record LayerTensors(float[] AttnNorm, float[] FfnNorm, float[] Wq, float[] Wk, float[] Wv, float[] Wo, float[] Gate, float[] Up, float[] Down);

/// <summary>A whole model's weights (embedding vocab x d, LM head d x vocab) for <see cref="EngineWeights(EngineConfig, ModelTensors)"/>.</summary>
public sealed record ModelTensors(float[] Embedding, IReadOnlyList<LayerTensors> Layers, float[] FinalNorm, float[] LmHead, float NormEps = 1e-5f);

/// <summary>
/// The offline SVD factors of one layer's Wk and Wv for XQuant on GQA models: latents X Uk and X Uv (d x kv_dim), and the
/// fused S B^T (kv_dim x kv_dim) that rematerializes K and V from them.
/// </summary>
public sealed class GqaFactors
{
    /// <param name="shards">1: one SVD of the whole Wk and Wv. S &gt; 1: an SVD of each of S contiguous column slices (a
    /// device's KV heads under S-way tensor parallelism), laid side by side: the latents are the slices' latents, the
    /// fused matrix is block-diagonal, and each device could hold only its own block.</param>
    internal GqaFactors(LayerWeights lw, int d, int kvDim, int shards = 1)
    {
        var k = Factor(Unpack(lw.Wk), d, kvDim, shards);
        var v = Factor(Unpack(lw.Wv), d, kvDim, shards);
        Uk = new Fast.PackedWeights(k.Basis, d, kvDim);
        Uv = new Fast.PackedWeights(v.Basis, d, kvDim);
        FusedK = new Fast.PackedWeights(k.Fused, kvDim, kvDim);
        FusedV = new Fast.PackedWeights(v.Fused, kvDim, kvDim);
        KeySingularValues = k.SingularValues;
    }

    private static (float[] Basis, float[] Fused, float[] SingularValues) Factor(float[] w, int d, int n, int shards)
    {
        if (shards <= 1)
        {
            var f = Gqa.SvdFactorization.Compute(w, d, n, cacheFolder: null);
            return (f.Basis, f.Fused, [.. f.SingularValues]);
        }
        int width = n / shards;
        var basis = new float[d * n];
        var fused = new float[n * n];
        var values = new List<float>(n);
        for (int s = 0; s < shards; s++)
        {
            var slice = new float[d * width];
            for (int r = 0; r < d; r++)
            {
                Array.Copy(w, (r * n) + (s * width), slice, r * width, width);
            }
            var f = Gqa.SvdFactorization.Compute(slice, d, width, cacheFolder: null);
            for (int r = 0; r < d; r++)
            {
                Array.Copy(f.Basis, r * width, basis, (r * n) + (s * width), width);
            }
            for (int r = 0; r < width; r++)
            {
                Array.Copy(f.Fused, r * width, fused, (((s * width) + r) * n) + (s * width), width);
            }
            values.AddRange(f.SingularValues);
        }
        return (basis, fused, [.. values]);
    }

    public Fast.PackedWeights Uk { get; }
    public Fast.PackedWeights Uv { get; }
    public Fast.PackedWeights FusedK { get; }
    public Fast.PackedWeights FusedV { get; }

    /// <summary>Descending singular values of Wk (latent channel 0 carries the largest).</summary>
    public IReadOnlyList<float> KeySingularValues { get; }

    /// <summary>The row-major transpose (cols x rows) of a row-major rows x cols matrix.</summary>
    internal static float[] Transpose(float[] a, int rows, int cols)
    {
        var t = new float[a.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < cols; j++)
            {
                t[(j * rows) + r] = a[(r * cols) + j];
            }
        }
        return t;
    }

    /// <summary>The row-major k x n matrix a <see cref="Fast.PackedWeights"/> was built from.</summary>
    public static float[] Unpack(Fast.PackedWeights w)
    {
        ArgumentNullException.ThrowIfNull(w);
        var a = new float[(long)w.Rows * w.Columns];
        for (int pc = 0; pc < w.Rows; pc += Fast.PackedWeights.Kc)
        {
            int kc = Math.Min(Fast.PackedWeights.Kc, w.Rows - pc);
            for (int jp = 0; jp < w.Panels; jp++)
            {
                long b = w.BlockOffset(pc, jp, kc);
                int j0 = jp * Fast.PackedWeights.Nr, nj = Math.Min(Fast.PackedWeights.Nr, w.Columns - j0);
                for (int p = 0; p < kc; p++)
                {
                    w.Data.AsSpan((int)(b + ((long)p * Fast.PackedWeights.Nr)), nj).CopyTo(a.AsSpan(((pc + p) * w.Columns) + j0, nj));
                }
            }
        }
        return a;
    }
}

/// <summary>
/// The offline SVD of one layer's Wkv = [Wk | Wv] (d x 2 kv_dim) = Ukv S B^T for XQuant-CL on GQA models: the latent
/// projection Ukv (d x 2 kv_dim), its transpose (up-projection of delta latents to d), and the fused S B^T.
/// </summary>
public sealed class ClGqaFactors
{
    internal ClGqaFactors(LayerWeights lw, int d, int kvDim)
    {
        int n = 2 * kvDim;
        if (n > d)
        {
            throw new ArgumentException($"xquant-cl-gqa needs 2 kv_dim <= hidden (a GQA model); got 2 x {kvDim} > {d}");
        }
        var f = Gqa.SvdFactorization.Compute(GqaFactors.Unpack(lw.Wkv), d, n, cacheFolder: null);
        Ukv = new Fast.PackedWeights(f.Basis, d, n);
        UkvT = new Fast.PackedWeights(GqaFactors.Transpose(f.Basis, d, n), n, d);
        Fused = new Fast.PackedWeights(f.Fused, n, n);
    }

    public Fast.PackedWeights Ukv { get; }
    public Fast.PackedWeights UkvT { get; }
    public Fast.PackedWeights Fused { get; }
}
