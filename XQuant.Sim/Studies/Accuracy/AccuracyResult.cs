namespace XQuant.Sim.Studies.Accuracy;

/// <summary>Where a measured quality number comes from; every number in every accuracy output carries it.</summary>
public enum AccuracyOrigin
{
    /// <summary>A seeded random-weight model with structure knobs (not a trained model).</summary>
    Synthetic,

    /// <summary>A real checkpoint loaded from safetensors.</summary>
    Checkpoint,
}

/// <summary>One scheme against the FP16 cache over the same tokens.</summary>
/// <param name="KRelError">||K - K_fp16|| / ||K_fp16|| over every layer and cached token at the last step (keys after RoPE, as attention sees them).</param>
/// <param name="AttnRelErrorPerLayer">Per layer, sqrt(sum_t ||a_t - a_fp16,t||^2 / sum_t ||a_fp16,t||^2) over every step.</param>
/// <param name="HiddenRelError">The same for the final hidden state (after the final norm).</param>
/// <param name="MeanKl">Mean over steps of KL(p_fp16 || p_scheme) of the next-token distribution, in nats.</param>
/// <param name="Top1Agreement">Fraction of steps whose argmax token equals the FP16 cache's.</param>
/// <param name="Perplexity">exp(mean NLL) of the target tokens (NaN when there are none).</param>
/// <param name="NormalizedSize">Cache bytes at the last step / the FP16 cache's.</param>
public sealed record SchemeAccuracy(
    string Scheme,
    string Family,
    int Bits,
    string Spec,
    double KRelError,
    double VRelError,
    IReadOnlyList<double> KRelErrorPerLayer,
    IReadOnlyList<double> VRelErrorPerLayer,
    IReadOnlyList<double> AttnRelErrorPerLayer,
    double HiddenRelError,
    double MeanKl,
    double Top1Agreement,
    double Perplexity,
    long CacheBytes,
    double NormalizedSize)
{
    public double AttnRelError => AttnRelErrorPerLayer.Count == 0 ? double.NaN : AttnRelErrorPerLayer.Average();
}

/// <summary>A whole accuracy run: one model, one token stream, every scheme beside the FP16 cache.</summary>
public sealed record AccuracyResult(
    AccuracyOrigin Origin,
    string ModelId,
    string Dataset,
    string TokenSource,
    int Steps,
    double ReferencePerplexity,
    long ReferenceCacheBytes,
    IReadOnlyList<SchemeAccuracy> Schemes,
    StructureFindings Findings)
{
    public string Label => Origin == AccuracyOrigin.Synthetic ? "synthetic" : "checkpoint";
}
