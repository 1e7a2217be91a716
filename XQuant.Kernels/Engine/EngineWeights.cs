using XQuant.Kernels.Fast;

namespace XQuant.Kernels.Engine;

/// <summary>One decoder layer's weights, packed once for the blocked GEMM (and read by <see cref="EngineMath.Gemv"/>).</summary>
public sealed class LayerWeights
{
    internal LayerWeights(EngineConfig c, Random rng)
    {
        int d = c.HiddenSize, kv = c.KvDim;
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
        GateUp = new PackedWeights(Uniform(rng, d, 2 * c.IntermediateSize), d, 2 * c.IntermediateSize);
        Down = new PackedWeights(Uniform(rng, c.IntermediateSize, d), c.IntermediateSize, d);
        hidden = d;
        kvDim = kv;
    }

    /// <summary>From plain row-major tensors (a checkpoint, or a structured synthetic model).</summary>
    internal LayerWeights(EngineConfig c, LayerTensors t)
    {
        int d = c.HiddenSize, kv = c.KvDim, f = c.IntermediateSize;
        Check(t.AttnNorm, d, "attention norm");
        Check(t.FfnNorm, d, "ffn norm");
        Check(t.Wq, (long)d * c.QDim, "q_proj");
        Check(t.Wk, (long)d * kv, "k_proj");
        Check(t.Wv, (long)d * kv, "v_proj");
        Check(t.Wo, (long)c.QDim * d, "o_proj");
        Check(t.Gate, (long)d * f, "gate_proj");
        Check(t.Up, (long)d * f, "up_proj");
        Check(t.Down, (long)f * d, "down_proj");
        AttnNorm = t.AttnNorm;
        FfnNorm = t.FfnNorm;
        Wq = new PackedWeights(t.Wq, d, c.QDim);
        Wk = new PackedWeights(t.Wk, d, kv);
        Wv = new PackedWeights(t.Wv, d, kv);
        var wkv = new float[(long)d * 2 * kv];
        var gu = new float[(long)d * 2 * f];
        for (int r = 0; r < d; r++)
        {
            t.Wk.AsSpan(r * kv, kv).CopyTo(wkv.AsSpan(r * 2 * kv));
            t.Wv.AsSpan(r * kv, kv).CopyTo(wkv.AsSpan((r * 2 * kv) + kv));
            t.Gate.AsSpan(r * f, f).CopyTo(gu.AsSpan(r * 2 * f));
            t.Up.AsSpan(r * f, f).CopyTo(gu.AsSpan((r * 2 * f) + f));
        }
        Wkv = new PackedWeights(wkv, d, 2 * kv);
        Wo = new PackedWeights(t.Wo, c.QDim, d);
        GateUp = new PackedWeights(gu, d, 2 * f);
        Down = new PackedWeights(t.Down, f, d);
        hidden = d;
        kvDim = kv;
    }

    private readonly int hidden;
    private readonly int kvDim;
    private readonly Lock gqaLock = new();
    private GqaFactors? gqa;
    private ClGqaFactors? clGqa;

    /// <summary>SVD factors of Wkv = [Wk | Wv] (computed on first use, then kept): the XQuant-CL-GQA latents.</summary>
    public ClGqaFactors ClGqa
    {
        get
        {
            lock (gqaLock)
            {
                return clGqa ??= new ClGqaFactors(this, hidden, kvDim);
            }
        }
    }

    private readonly Dictionary<int, GqaFactors> shardedGqa = [];

    /// <summary>SVD factors of each of <paramref name="shards"/> column slices of Wk and Wv (computed on first use, then kept).</summary>
    public GqaFactors GqaSharded(int shards)
    {
        if (shards <= 1)
        {
            return Gqa;
        }
        lock (gqaLock)
        {
            if (!shardedGqa.TryGetValue(shards, out var f))
            {
                f = new GqaFactors(this, hidden, kvDim, shards);
                shardedGqa[shards] = f;
            }
            return f;
        }
    }

    /// <summary>SVD factors of Wk and Wv (computed on first use, then kept): the XQuant-GQA latents.</summary>
    public GqaFactors Gqa
    {
        get
        {
            lock (gqaLock)
            {
                return gqa ??= new GqaFactors(this, hidden, kvDim);
            }
        }
    }

    private static void Check(float[] a, long expected, string name)
    {
        ArgumentNullException.ThrowIfNull(a, name);
        if (a.LongLength != expected)
        {
            throw new ArgumentException($"{name} has {a.LongLength} elements, expected {expected}", name);
        }
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
        Embedding = new float[(long)config.VocabSize * config.HiddenSize];
        for (long i = 0; i < Embedding.LongLength; i++)
        {
            Embedding[i] = (2 * rng.NextSingle()) - 1;
        }
        Layers = Enumerable.Range(0, config.Layers).Select(_ => new LayerWeights(config, rng)).ToList();
        FinalNorm = LayerWeights.NormWeights(config.HiddenSize, rng);
        LmHead = new PackedWeights(LayerWeights.Uniform(rng, config.HiddenSize, config.VocabSize), config.HiddenSize, config.VocabSize);
    }

    /// <summary>From given tensors (a checkpoint or a structured synthetic model); shapes are checked against the config.</summary>
    public EngineWeights(EngineConfig config, ModelTensors tensors)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(tensors);
        var problems = config.Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(config));
        }
        if (tensors.Layers.Count != config.Layers || tensors.Embedding.LongLength != (long)config.VocabSize * config.HiddenSize
            || tensors.LmHead.LongLength != (long)config.HiddenSize * config.VocabSize || tensors.FinalNorm.Length != config.HiddenSize)
        {
            throw new ArgumentException("tensors do not match the config (layers, embedding, LM head or final norm)", nameof(tensors));
        }
        Config = config;
        Embedding = tensors.Embedding;
        Layers = tensors.Layers.Select(t => new LayerWeights(config, t)).ToList();
        FinalNorm = tensors.FinalNorm;
        LmHead = new PackedWeights(tensors.LmHead, config.HiddenSize, config.VocabSize);
        NormEps = tensors.NormEps;
    }

    public EngineConfig Config { get; }

    /// <summary>RMSNorm epsilon (1e-5 for the random model; rms_norm_eps for a checkpoint).</summary>
    public float NormEps { get; } = 1e-5f;
    public float[] Embedding { get; }
    public IReadOnlyList<LayerWeights> Layers { get; }
    public float[] FinalNorm { get; }
    public PackedWeights LmHead { get; }
}
