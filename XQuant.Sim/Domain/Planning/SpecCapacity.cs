using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Memory;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Domain.Planning;

/// <summary>
/// What speculative decoding adds to device memory: the verify step writes k draft tokens into the cache before
/// they are checked, so every sequence holds l + k tokens; a draft model brings its weights and its own cache (l + k
/// tokens, its native scheme); an MTP module brings one decoder layer + eh_proj + two norms (the embedding and LM
/// head are the target's) and its one-layer cache. Plain decode (no speculation, or k = 0) adds nothing.
/// </summary>
public static class SpecCapacity
{
    /// <summary>Tokens per sequence the cache must hold while a step verifies: l + k.</summary>
    public static double HeldTokens(Workload w, double context) =>
        w.Speculation is { DraftTokens: > 0 } spec && w.Phase == Phase.Decode ? context + spec.DraftTokens : context;

    /// <summary>The drafter's weights (zero for a free drafter or plain decode).</summary>
    public static double DrafterWeightBytes(Workload w)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (w.Speculation is not { DraftTokens: > 0 } spec || w.Phase != Phase.Decode)
        {
            return 0;
        }
        double bytesPerWeight = w.Weights.BytesPerWeight();
        return spec.Drafter switch
        {
            SpecDrafter.Model => spec.DraftModel!.TotalParams * bytesPerWeight,
            // One layer of the target's shape (MoE: its routed FFN) + eh_proj (2d x d) + the two RMSNorms.
            SpecDrafter.Mtp => MtpLayerParams(w) * bytesPerWeight + 2.0 * w.Model.HiddenSize * w.Model.HiddenSize * bytesPerWeight + 2.0 * w.Model.HiddenSize * 2.0,
            _ => 0,
        };
    }

    /// <summary>The drafter's cache bytes for one sequence at <paramref name="context"/> target tokens (l + k held).</summary>
    public static double DrafterCacheBytesPerSequence(Workload w, double context)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (w.Speculation is not { DraftTokens: > 0 } spec || w.Phase != Phase.Decode || spec.Drafter == SpecDrafter.Free)
        {
            return 0;
        }
        bool mtp = spec.Drafter == SpecDrafter.Mtp;
        var draft = mtp ? SpecStep.MtpModel(w.Model) : spec.DraftModel!;
        var layout = LayoutCache.Get(SpecStep.DraftScheme(w, draft, mtp), draft);
        return CacheMemory.TotalBytesPerSequence(layout, HeldTokens(w, context), worstWindow: true);
    }

    private static double MtpLayerParams(Workload w)
    {
        var mtp = SpecStep.MtpModel(w.Model);
        return mtp.TotalParams - mtp.EmbeddingParams - mtp.LmHeadParams - mtp.HiddenSize;
    }
}
