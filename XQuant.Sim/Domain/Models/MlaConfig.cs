namespace XQuant.Sim.Domain.Models;

/// <summary>
/// DeepSeek's multi-head latent attention (MLA), as its config.json publishes it: K and V of every head are
/// up-projected from a shared latent of <see cref="KvLoraRank"/> elements, and a decoupled RoPE key of
/// <see cref="QkRopeHeadDim"/> elements is shared by all heads; queries go through a low-rank
/// <see cref="QLoraRank"/> bottleneck (0: a plain projection, as in DeepSeek-V2-Lite). What is cached per token per
/// layer is the latent plus the RoPE key, <see cref="LatentWidth"/> elements.
/// </summary>
public sealed record MlaConfig(int KvLoraRank, int QLoraRank, int QkNopeHeadDim, int QkRopeHeadDim, int VHeadDim)
{
    public int LatentWidth => KvLoraRank + QkRopeHeadDim;

    /// <summary>Query (and materialized key) width per head: nope + rope.</summary>
    public int QkHeadDim => QkNopeHeadDim + QkRopeHeadDim;

    /// <summary>
    /// Attention weights of one layer (elements): the query path (d x q_lora, its norm, q_lora x H (nope + rope); or
    /// d x H (nope + rope)), kv_a (d x (kv_lora + rope)), its norm, kv_b (kv_lora x H (nope + v)) and o (H v x d).
    /// </summary>
    public double AttentionParams(ModelConfig m)
    {
        double d = m.HiddenSize, h = m.Heads;
        double q = QLoraRank > 0 ? d * QLoraRank + QLoraRank + (double)QLoraRank * h * QkHeadDim : d * h * QkHeadDim;
        return q + d * LatentWidth + KvLoraRank + (double)KvLoraRank * h * (QkNopeHeadDim + VHeadDim) + h * VHeadDim * d;
    }
}
