namespace XQuant.Kernels.Engine;

/// <summary>
/// Observes a decode step from inside (for accuracy measurements; null costs nothing). Spans are only valid during the
/// call. <see cref="KvTile"/> runs on attention workers, several tiles at once, each tile a disjoint token range.
/// </summary>
public interface IEngineProbe
{
    /// <summary>When false, <see cref="KvTile"/> is never called (attention tiles are not wrapped).</summary>
    bool WantsKv { get; }

    /// <summary>X of this layer for the new token: the post-norm input of the Q, K and V projections.</summary>
    void AttentionInput(int layer, int position, ReadOnlySpan<float> x);

    /// <summary>The attention output (before W_o) of this layer for the new token.</summary>
    void AttentionOutput(int layer, int position, ReadOnlySpan<float> output);

    /// <summary>The final hidden state (after the final norm) that feeds the LM head.</summary>
    void FinalHidden(int position, ReadOnlySpan<float> hidden);

    /// <summary>The keys (after RoPE) and values attention sees for tokens [t0, t0 + n), n x kv_dim each, as the scheme produces them.</summary>
    void KvTile(int layer, int t0, int n, ReadOnlySpan<float> keys, ReadOnlySpan<float> values);
}
