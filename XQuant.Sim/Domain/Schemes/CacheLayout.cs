namespace XQuant.Sim.Domain.Schemes;

/// <summary>How groups of G elements that share one scale and zero-point run.</summary>
public enum QuantAxis
{
    /// <summary>Groups run along channels within one token (KIVI values, XQuant's X).</summary>
    PerToken,

    /// <summary>Groups run along tokens within one channel (KIVI keys, the GQA key latent).</summary>
    PerChannel,
}

/// <summary>
/// One tensor a scheme stores for every cached token of one layer.
/// <para>Bits = 16 means stored in FP16 with no metadata. A per-channel tensor can only quantize a full group of
/// G tokens, so recent tokens wait in an FP16 residual window (KIVI's): when it holds <see cref="WindowTokens"/>
/// tokens they are quantized as one block and the window empties, so at l tokens it holds l mod WindowTokens.</para>
/// </summary>
/// <param name="WidthElements">Elements per token (d for X, d_kv for K or V or a latent).</param>
/// <param name="MetadataBytesPerGroup">Scale + zero-point bytes for one group (2 x FP16 = 4).</param>
public sealed record CachedTensor(
    string Name,
    int WidthElements,
    int Bits,
    QuantAxis Axis,
    int GroupSize,
    int MetadataBytesPerGroup,
    int WindowTokens)
{
    public bool IsQuantized => Bits < 16;

    public static CachedTensor Fp16(string name, int width) =>
        new(name, width, 16, QuantAxis.PerToken, 1, 0, 0);

    /// <summary>Tokens in the FP16 window at a context: l mod W (the window flushes when full).</summary>
    public double WindowAt(double contextTokens) => WindowTokens > 0 ? contextTokens % WindowTokens : 0;

    /// <summary>The most the window can hold on the way to a context: min(l, W - 1). Capacity plans use it, so every shorter context fits too.</summary>
    public double WorstWindowUpTo(double contextTokens) => WindowTokens > 0 ? Math.Min(contextTokens, WindowTokens - 1) : 0;
}

/// <summary>The tensors one layer stores per token.</summary>
public sealed record LayerCache(IReadOnlyList<CachedTensor> Tensors)
{
    /// <summary>A local (sliding-window) layer holds at most this many tokens; 0 for a global layer.</summary>
    public int AttentionWindowTokens { get; init; }

    /// <summary>Tokens this layer holds at a context: all of them, or at most its attention window.</summary>
    public double CachedTokens(double contextTokens) =>
        AttentionWindowTokens > 0 ? Math.Min(contextTokens, AttentionWindowTokens) : contextTokens;

    /// <summary>A short description such as "X 4b/token" for tables.</summary>
    public string Describe() => string.Join(" + ", Tensors.Select(t =>
        t.IsQuantized ? $"{t.Name}[{t.WidthElements}] {t.Bits}b/{(t.Axis == QuantAxis.PerToken ? "tok" : "ch")}" : $"{t.Name}[{t.WidthElements}] fp16"));
}

/// <summary>
/// XQuant-CL's running sum X^_{i-1}: one d-wide buffer per sequence, reused layer after layer during a step.
/// The paper's sizes leave it out; the planner counts it.
/// </summary>
public sealed record AccumulatorBuffer(int WidthElements, int Bits);

/// <summary>A run of consecutive layers that store the same tensors.</summary>
public sealed record LayerRun(int First, int Count, LayerCache Layer);

/// <summary>Everything a scheme stores: one <see cref="LayerCache"/> per layer (index = layer), plus an accumulator.</summary>
public sealed record CacheLayout(IReadOnlyList<LayerCache> Layers, AccumulatorBuffer? Accumulator)
{
    private IReadOnlyList<LayerRun>? _runs;

    /// <summary>Consecutive identical layers grouped, so per-layer sums cost one term per run (2-3 runs, not 80 layers).</summary>
    public IReadOnlyList<LayerRun> Runs => _runs ??= GroupRuns(Layers);

    private static List<LayerRun> GroupRuns(IReadOnlyList<LayerCache> layers)
    {
        var runs = new List<LayerRun>();
        int i = 0;
        while (i < layers.Count)
        {
            int j = i + 1;
            while (j < layers.Count && (ReferenceEquals(layers[j], layers[i]) || (layers[j].Tensors.SequenceEqual(layers[i].Tensors) && layers[j].AttentionWindowTokens == layers[i].AttentionWindowTokens)))
            {
                j++;
            }
            runs.Add(new LayerRun(i, j - i, layers[i]));
            i = j;
        }
        return runs;
    }
}
