using XQuant.Kernels.Fast;

namespace XQuant.Kernels.Engine;

/// <summary>One decoder layer's weights, packed once for the blocked GEMM (and read by <see cref="EngineMath.Gemv"/>).</summary>
public sealed class LayerWeights
{
    internal LayerWeights(EngineConfig c, Random rng)
    {
        int d = c.Hidden, kv = c.KvDim;
        AttnNorm = NormWeights(d, rng);
        FfnNorm = NormWeights(d, rng);
        Wq = new PackedWeights(Uniform(rng, d, c.QDim), d, c.QDim);
        float[] wk = Uniform(rng, d, kv), wv = Uniform(rng, d, kv);
        Wk = new PackedWeights(wk, d, kv);
        Wv = new PackedWeights(wv, d, kv);
        var wkv = new float[(long)d * 2 * kv];
        for (int r = 0; r < d; r++)
        {
            wk.AsSpan(r * kv, kv).CopyTo(wkv.AsSpan(r * 2 * kv));
            wv.AsSpan(r * kv, kv).CopyTo(wkv.AsSpan((r * 2 * kv) + kv));
        }
        Wkv = new PackedWeights(wkv, d, 2 * kv);
        Wo = new PackedWeights(Uniform(rng, c.QDim, d), c.QDim, d);
        GateUp = new PackedWeights(Uniform(rng, d, 2 * c.Intermediate), d, 2 * c.Intermediate);
        Down = new PackedWeights(Uniform(rng, c.Intermediate, d), c.Intermediate, d);
    }

    public float[] AttnNorm { get; }
    public float[] FfnNorm { get; }
    public PackedWeights Wq { get; }
    public PackedWeights Wk { get; }
    public PackedWeights Wv { get; }

    /// <summary>[Wk | Wv] (d x 2 d_kv) for the fused rematerialization of XQuant.</summary>
    public PackedWeights Wkv { get; }
    public PackedWeights Wo { get; }

    /// <summary>[W_gate | W_up] (d x 2 f).</summary>
    public PackedWeights GateUp { get; }
    public PackedWeights Down { get; }

    internal static float[] NormWeights(int d, Random rng)
    {
        var w = new float[d];
        for (int i = 0; i < d; i++)
        {
            w[i] = 1f + (0.1f * ((2 * rng.NextSingle()) - 1));
        }
        return w;
    }

    /// <summary>Uniform in +-sqrt(3 / fan_in): variance 1 / fan_in, so activations keep their scale.</summary>
    internal static float[] Uniform(Random rng, int rows, int cols)
    {
        var w = new float[(long)rows * cols];
        float a = MathF.Sqrt(3f / rows);
        for (long i = 0; i < w.LongLength; i++)
        {
            w[i] = a * ((2 * rng.NextSingle()) - 1);
        }
        return w;
    }
}

/// <summary>Seeded random weights for a whole model (same seed, same weights, on every machine).</summary>
public sealed class EngineWeights
{
    public EngineWeights(EngineConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var problems = config.Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(config));
        }
        Config = config;
        var rng = new Random(config.Seed);
        Embedding = new float[(long)config.Vocab * config.Hidden];
        for (long i = 0; i < Embedding.LongLength; i++)
        {
            Embedding[i] = (2 * rng.NextSingle()) - 1;
        }
        Layers = Enumerable.Range(0, config.Layers).Select(_ => new LayerWeights(config, rng)).ToList();
        FinalNorm = LayerWeights.NormWeights(config.Hidden, rng);
        LmHead = new PackedWeights(LayerWeights.Uniform(rng, config.Hidden, config.Vocab), config.Hidden, config.Vocab);
    }

    public EngineConfig Config { get; }
    public float[] Embedding { get; }
    public IReadOnlyList<LayerWeights> Layers { get; }
    public float[] FinalNorm { get; }
    public PackedWeights LmHead { get; }
}
