using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Domain.Parallelism;

/// <summary>
/// The part of a model one device holds. Tensor parallelism is Megatron's: Q/K/V projections and attention split by
/// heads, the output projection by its input rows, the FFN (and every MoE expert) by its intermediate width, embedding and LM head by
/// vocabulary; the hidden width d and the norms stay whole on every rank. Pure.
/// </summary>
public static class Sharding
{
    /// <summary>
    /// One tensor-parallel rank as a model of its own: heads, KV heads, intermediate width and vocabulary divided by
    /// TP (KV heads stay whole where TP does not divide them: only the tp=tokens layout may ask for that).
    /// </summary>
    /// <param name="ep">Expert parallelism (equal to <paramref name="tp"/>): the rank holds E / EP whole routed experts, and
    /// the shared experts whole (replicated), instead of every expert's width / TP.</param>
    public static ModelConfig RankModel(ModelConfig model, int tp, int ep = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (tp <= 1)
        {
            return model;
        }
        if (ep > 1 && model.Moe is { } routed)
        {
            return RankModel(model with { Moe = null }, tp) with { Moe = routed with { Experts = routed.Experts / ep } };
        }
        return model with
        {
            Heads = model.Heads / tp,
            KvHeads = model.KvHeads % tp == 0 ? model.KvHeads / tp : model.KvHeads,
            IntermediateSize = CeilDiv(model.IntermediateSize, tp),
            VocabSize = CeilDiv(model.VocabSize, tp),
            Moe = model.Moe is { } moe ? moe with { ExpertIntermediateSize = CeilDiv(moe.ExpertIntermediateSize, tp) } : null,
        };
    }

    /// <summary>
    /// The model a rank's cache layout is built from: the rank model, except that the paper's global SVD latents are
    /// d_kv wide whatever the rank (replicated).
    /// </summary>
    public static ModelConfig LayoutModel(ModelConfig model, CacheScheme scheme, int tp)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        var rank = RankModel(model, tp);
        return tp > 1 && scheme.TensorParallel == TpLayout.SvdGlobal ? rank with { KvHeads = model.KvHeads } : rank;
    }

    /// <summary>Share of the cached tokens one rank holds: 1 / TP under tp=tokens, all of them otherwise.</summary>
    public static double CachedTokenShare(CacheScheme scheme, int tp)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        return tp > 1 && scheme.TensorParallel == TpLayout.Tokens ? 1.0 / tp : 1.0;
    }

    /// <summary>Cached tokens of the fullest rank: ceil(l / TP) under tp=tokens.</summary>
    public static double RankContextTokens(CacheScheme scheme, int tp, double contextTokens) =>
        CachedTokenShare(scheme, tp) < 1 ? Math.Ceiling(contextTokens / tp) : contextTokens;

    /// <summary>Layers of the largest pipeline stage: ceil(L / PP).</summary>
    public static int StageLayers(ModelConfig model, int pp)
    {
        ArgumentNullException.ThrowIfNull(model);
        return (int)CeilDiv(model.Layers, Math.Max(pp, 1));
    }

    /// <summary>
    /// Weight parameters on the fullest device: ceil(L / PP) layers of the rank model (all experts of a MoE layer), plus the embedding (first stage)
    /// or LM head and final norm (last stage), whichever is larger when PP &gt; 1; all of them at PP = 1. Layouts that
    /// replicate a projection add it: tp=tokens holds full Wk and Wv ((TP-1)/TP x 2 d d_kv more per layer), svd=global
    /// the full latent projections Uk and Uv (the same amount).
    /// </summary>
    /// <param name="ep">Expert parallelism: E / EP whole experts per rank, shared experts and the d x E router whole.</param>
    public static double RankWeightParams(ModelConfig model, CacheScheme scheme, int tp, int pp, int ep = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(scheme);
        var rank = RankModel(model, tp, ep);
        int layers = StageLayers(model, pp);
        double ends = pp <= 1
            ? rank.EmbeddingParams + rank.LmHeadParams + rank.HiddenSize
            : Math.Max(rank.EmbeddingParams, rank.LmHeadParams + rank.HiddenSize);
        double replicated = tp > 1 && scheme.TensorParallel is TpLayout.Tokens or TpLayout.SvdGlobal
            ? (tp - 1.0) / tp * 2.0 * model.HiddenSize * model.KvDim
            : 0;
        // A MoE model's dense and routed layers differ; a stage is charged their mean (every expert is resident).
        double layerParams = rank.Moe is { } moe ? moe.DecoderParams(rank) / rank.Layers : rank.LayerParams;
        if (ep > 1 && model.Moe is { } full)
        {
            // The rank model's router is d x E / EP; every rank routes over all E experts.
            layerParams += (double)full.MoeLayers(model) / model.Layers * model.HiddenSize * (full.Experts - full.Experts / ep);
        }
        return layers * (layerParams + replicated) + ends;
    }

    private static int CeilDiv(int a, int b) => (a + b - 1) / b;
}
