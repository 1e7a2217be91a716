namespace XQuant.Sim.Domain.Schemes;

/// <summary>
/// How a scheme's cache is laid out over tensor-parallel ranks. Each is a scheme option (<c>tp=</c> for xquant,
/// <c>svd=</c> for xquant-gqa); at TP = 1 they all cost the same.
/// </summary>
public enum TpLayout
{
    /// <summary>KV heads sharded (fp16, kivi); for xquant <c>tp=heads</c>: every rank caches the full d-wide X and rematerializes only its heads.</summary>
    Heads,

    /// <summary>xquant <c>tp=tokens</c>: each rank caches l / TP tokens of X, holds full Wk and Wv, attends all heads over its tokens; partial outputs are combined by their log-sum-exp.</summary>
    Tokens,

    /// <summary>xquant-gqa <c>svd=global</c>: the paper's latents of the whole Wk / Wv (d_kv wide), replicated on every rank as X is.</summary>
    SvdGlobal,

    /// <summary>xquant-gqa <c>svd=per-rank</c>: an SVD of each rank's head slice of Wk and Wv; latents d_kv / TP wide.</summary>
    SvdPerRank,
}
