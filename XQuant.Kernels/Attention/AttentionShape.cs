namespace XQuant.Kernels.Attention;

/// <summary>
/// Decode attention geometry: <see cref="Heads"/> query heads share <see cref="KvHeads"/> key/value heads
/// (GQA: query head j reads KV head j / (Heads / KvHeads)). K and V rows are KvHeads x HeadDim wide, head-major.
/// </summary>
public sealed record AttentionShape(int Heads, int KvHeads, int HeadDim)
{
    public int QueryHeadsPerKvHead => Heads / KvHeads;

    public int KvDim => KvHeads * HeadDim;

    public int QueryDim => Heads * HeadDim;

    /// <summary>1 / sqrt(head_dim), the usual score scale.</summary>
    public float ScoreScale => 1f / MathF.Sqrt(HeadDim);

    public AttentionShape Validated()
    {
        if (Heads < 1 || KvHeads < 1 || HeadDim < 2 || Heads % KvHeads != 0 || HeadDim % 2 != 0)
        {
            throw new ArgumentException($"attention shape needs heads >= 1, kv heads dividing heads, an even head dim (got {Heads}, {KvHeads}, {HeadDim})");
        }
        return this;
    }
}
