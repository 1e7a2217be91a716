namespace XQuant.Kernels.Engine;

/// <summary>
/// Knobs that give a random-weight model the activation structure trained LLMs show and XQuant relies on. Defaults
/// (documented in docs/accuracy.md):
/// <list type="bullet">
/// <item><see cref="OutlierChannels"/> = 4 channels of X (the post-norm attention input) carry <see cref="OutlierGain"/> = 8x
/// the magnitude of the rest, the same channels in every layer (real models: massive activations and large norm
/// gains on a few fixed channels). Done with the attention-norm weight of those channels.</item>
/// <item><see cref="ResidualGain"/> = 0.2 scales W_o and W_down, so each layer adds a small update to the residual
/// stream and the post-norm inputs of successive layers stay close (the premise of XQuant-CL).</item>
/// <item><see cref="NormJitter"/> = 0.05: the norm weights of a channel vary this much (uniform, relative) from layer
/// to layer around a per-channel value shared by all layers.</item>
/// <item><see cref="LogitGain"/> = 4 scales the LM head so next-token distributions are peaked (entropy of a few nats,
/// like a trained model) rather than nearly uniform.</item>
/// </list>
/// OutlierChannels = 0, ResidualGain = 1, NormJitter = 0.1 and LogitGain = 1 give an unstructured random model.
/// </summary>
public sealed record SyntheticStructure(int OutlierChannels = 4, float OutlierGain = 8f, float ResidualGain = 0.2f, float NormJitter = 0.05f, float LogitGain = 4f)
{
    public IReadOnlyList<string> Problems(EngineConfig c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var p = new List<string>();
        if (OutlierChannels < 0 || OutlierChannels > c.HiddenSize / 4)
        {
            p.Add($"outlier channels must be 0 to {c.HiddenSize / 4} (got {OutlierChannels})");
        }
        if (!(OutlierGain >= 1 && OutlierGain <= 1000) || !(ResidualGain > 0 && ResidualGain <= 10) || !(NormJitter >= 0 && NormJitter < 1) || !(LogitGain > 0 && LogitGain <= 100))
        {
            p.Add("need outlier gain 1..1000, residual gain in (0, 10], norm jitter in [0, 1), logit gain in (0, 100]");
        }
        return p;
    }

    /// <summary>The channels that carry the outliers (spread over the width, seeded).</summary>
    public IReadOnlyList<int> OutlierIndices(EngineConfig c, int seed)
    {
        ArgumentNullException.ThrowIfNull(c);
        var rng = new Random(seed ^ 0x5EED);
        return Enumerable.Range(0, c.HiddenSize).OrderBy(_ => rng.Next()).Take(OutlierChannels).Order().ToList();
    }

    /// <summary>Seeded weights with this structure (same config, knobs and seed: the same model on every machine).</summary>
    public ModelTensors Build(EngineConfig c, int seed)
    {
        ArgumentNullException.ThrowIfNull(c);
        var problems = c.Problems().Concat(Problems(c)).ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(c));
        }
        var rng = new Random(seed);
        int d = c.HiddenSize, f = c.IntermediateSize;
        var embedding = new float[(long)c.VocabSize * d];
        for (long i = 0; i < embedding.LongLength; i++)
        {
            embedding[i] = (2 * rng.NextSingle()) - 1;
        }
        var baseGain = new float[d];
        for (int i = 0; i < d; i++)
        {
            baseGain[i] = 0.8f + (0.4f * rng.NextSingle());
        }
        foreach (int ch in OutlierIndices(c, seed))
        {
            baseGain[ch] *= OutlierGain;
        }
        float[] Norm(bool outliers)
        {
            var w = new float[d];
            for (int i = 0; i < d; i++)
            {
                float g = outliers ? baseGain[i] : 1f;
                w[i] = g * (1f + (NormJitter * ((2 * rng.NextSingle()) - 1)));
            }
            return w;
        }
        float[] Scaled(float[] w, float s)
        {
            for (long i = 0; i < w.LongLength; i++)
            {
                w[i] *= s;
            }
            return w;
        }
        var layers = new List<LayerTensors>();
        for (int l = 0; l < c.Layers; l++)
        {
            layers.Add(new LayerTensors(
                Norm(outliers: true),
                Norm(outliers: false),
                LayerWeights.Uniform(rng, d, c.QDim),
                LayerWeights.Uniform(rng, d, c.KvDim),
                LayerWeights.Uniform(rng, d, c.KvDim),
                Scaled(LayerWeights.Uniform(rng, c.QDim, d), ResidualGain),
                LayerWeights.Uniform(rng, d, f),
                LayerWeights.Uniform(rng, d, f),
                Scaled(LayerWeights.Uniform(rng, f, d), ResidualGain)));
        }
        return new ModelTensors(embedding, layers, Norm(outliers: false), Scaled(LayerWeights.Uniform(rng, d, c.VocabSize), LogitGain));
    }
}
