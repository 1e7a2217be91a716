using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Domain.CostModel;

/// <summary>
/// The ledger entries of <see cref="Models.ArchitectureExtras"/>: Gemma-2's two extra RMSNorms per layer (4 FLOPs per
/// element, d weights each), tanh soft-capping of attention scores and final logits (3 FLOPs per score or logit,
/// fused into the attention and LM-head kernels: no bytes), gpt-oss's attention sinks (one more logit per head per
/// query in every softmax: 5 FLOPs, H weights). Biases (gpt-oss) are counted in the parameters, not in FLOPs, as for
/// Qwen2's. Gemma's embedding scaling by sqrt(d) is fused into the lookup and not costed.
/// </summary>
public static class ExtrasOps
{
    public static void AddLayerOps(LedgerBuilder b, double tokens, double layers)
    {
        var m = b.Model;
        if (m.Extras is not { } x || layers <= 0)
        {
            return;
        }
        double d = m.HiddenSize;
        if (x.ExtraNormsPerLayer > 0)
        {
            double elements = x.ExtraNormsPerLayer * tokens * d;
            b.Add(b.Elementwise("post_norms", elements, 4, elements, elements)
                .AddBytes(TensorClass.Weights, x.ExtraNormsPerLayer * d * 2.0), layers);
        }
        if (x.AttentionLogitSoftcap > 0)
        {
            b.Add(b.Op("attn_softcap", OpKind.Elementwise, 3 * m.Heads * ScoresPerHead(b) * layers / m.Layers), 1);
        }
        if (x.AttentionSinks)
        {
            b.Add(b.Op("attn_sinks", OpKind.Elementwise, 5 * tokens * m.Heads).AddBytes(TensorClass.Weights, m.Heads * 2.0), layers);
        }
        if (x.AttentionLogitSoftcap > 0 || x.AttentionSinks || x.ExtraNormsPerLayer > 0)
        {
            b.Note("soft-capping, attention sinks and extra norms are costed as elementwise work, fused (no bytes beyond their weights)");
        }
    }

    /// <summary>The final logits' soft-cap: 3 FLOPs per logit of each sampled token, in the LM head's epilogue.</summary>
    public static void AddModelOps(LedgerBuilder b)
    {
        var m = b.Model;
        if (m.Extras is { FinalLogitSoftcap: > 0 })
        {
            b.Add(b.Op("logit_softcap", OpKind.Elementwise, 3 * b.NewTokens * m.VocabSize), 1);
        }
    }

    /// <summary>
    /// Query-key scores per head in the step, summed over all layers: decode attends N = l + 1 keys per global layer and
    /// min(N, W) per local one; prefill l (l + 1) / 2 pairs per global layer and the windowed pairs per local one. A
    /// speculative verify step's q queries attend l + 1 ... l + q keys (q l + q (q + 1) / 2 pairs, window-capped likewise).
    /// </summary>
    public static double ScoresPerHead(LedgerBuilder b)
    {
        var m = b.Model;
        double l = b.ContextTokens;
        int local = m.Window?.LocalLayers ?? 0;
        int global = m.Layers - local;
        bool decode = b.Workload.Phase == Phase.Decode;
        double q = b.QueriesPerSequence;
        double causal = q * (q + 1) / 2;
        double perGlobal = decode ? q * l + causal : l * (l + 1) / 2;
        double perLocal = m.Window is not { } w ? 0 : decode ? q * w.DecodeContextTokens(l) + causal : w.PrefillPairs(l);
        return b.Batch * (global * perGlobal + local * perLocal);
    }
}
