namespace XQuant.Kernels.Attention;

/// <summary>
/// Decode attention over a cache split by tokens across devices: each device folds its own tokens into a
/// <see cref="ShardState"/>, and the states combine by their log-sum-exp (rescale each by exp(max_r - max), add,
/// divide by the rescaled sum) into exactly the attention over all tokens, up to float rounding. The same arithmetic
/// as the engine's flash-decoding tiles, with a device's shard in place of a tile.
/// </summary>
public static class TokenShardedAttention
{
    /// <summary>Partial state of <paramref name="tokens"/> post-RoPE keys and values (tokens x KvDim) for the query q (Heads x HeadDim).</summary>
    public static ShardState Partial(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, int tokens, AttentionShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var max = new float[shape.Heads];
        Array.Fill(max, float.NegativeInfinity);
        var sum = new float[shape.Heads];
        var acc = new float[shape.QueryDim];
        OnlineSoftmax.Consume(q, k, v, tokens, shape, max, sum, acc, new float[Math.Max(tokens, 1)]);
        return new ShardState(max, sum, acc);
    }

    /// <summary>The attention output (Heads x HeadDim) from every shard's state.</summary>
    public static float[] Combine(IReadOnlyList<ShardState> shards, AttentionShape shape)
    {
        ArgumentNullException.ThrowIfNull(shards);
        ArgumentNullException.ThrowIfNull(shape);
        var output = new float[shape.QueryDim];
        OnlineSoftmax.Merge(shards.Select(s => (s.Max, s.Sum, s.Acc)).ToList(), shape, output);
        return output;
    }
}
