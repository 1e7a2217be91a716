namespace XQuant.Kernels.Attention;

/// <summary>
/// One token shard's partial attention, per head: the running max score, the sum of exp(score - max) and the
/// exp-weighted sum of V (Heads x HeadDim, not yet divided by the sum).
/// </summary>
public sealed record ShardState(float[] Max, float[] Sum, float[] Acc);
