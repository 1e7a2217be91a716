using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Domain.CostModel;

/// <summary>
/// The operators every scheme shares: norms, Q projection, output projection, SwiGLU FFN, residual adds, and the
/// model-level embedding, final norm and LM head. FLOPs per element of elementwise work are round, documented
/// counts (RMSNorm 4, RoPE 3, SiLU x up 5, softmax 5).
/// </summary>
public static class TransformerOps
{
    public static void AddLayerOps(LedgerBuilder b, double tokens, double layers)
    {
        var m = b.Model;
        double d = m.HiddenSize;
        b.Add(Norm(b, "attn_norm", tokens), layers);
        double qoLayers = m.Mla is null ? layers : 0;
        b.Add(b.Gemm("q_proj", tokens, d, m.QDim), qoLayers);
        b.Add(b.Elementwise("rope_q", tokens * m.QDim, 3, tokens * m.QDim, tokens * m.QDim), qoLayers);
        b.Add(b.Gemm("o_proj", tokens, m.QDim, d), qoLayers);
        if (m.Mla is not null)
        {
            CacheOps.MlaOps.AddProjections(b, tokens, layers);
        }
        b.Add(b.Elementwise("residual_add", 2 * tokens * d, 1, 4 * tokens * d, 2 * tokens * d), layers);
        b.Add(Norm(b, "ffn_norm", tokens), layers);
        double ffnLayers = MoeOps.DenseFfnLayers(m, layers);
        b.Add(b.Gemm("ffn_gate_up", tokens, d, 2.0 * m.IntermediateSize), ffnLayers);
        b.Add(b.Elementwise("ffn_act", tokens * m.IntermediateSize, 5, 2 * tokens * m.IntermediateSize, tokens * m.IntermediateSize), ffnLayers);
        b.Add(b.Gemm("ffn_down", tokens, m.IntermediateSize, d), ffnLayers);
        MoeOps.AddLayerOps(b, tokens, layers);
        ExtrasOps.AddLayerOps(b, tokens, layers);
    }

    /// <summary>Embedding lookup, final norm and LM head (logits for one token per sequence, FP32).</summary>
    public static void AddModelOps(LedgerBuilder b, double tokens)
    {
        var m = b.Model;
        double d = m.HiddenSize;
        b.Add(b.Op("embedding", OpKind.Elementwise, 0)
            .AddBytes(TensorClass.Weights, tokens * d * b.BytesPerWeight)
            .AddBytes(TensorClass.ActivationsWritten, tokens * d * LedgerBuilder.ActivationBytesPerElement), 1);
        b.Add(Norm(b, "final_norm", b.NewTokens), 1);
        b.Add(b.Op("lm_head", OpKind.Gemm, 2 * b.NewTokens * d * m.VocabSize)
            .AddBytes(TensorClass.Weights, d * m.VocabSize * b.BytesPerWeight)
            .AddBytes(TensorClass.ActivationsRead, b.NewTokens * d * LedgerBuilder.ActivationBytesPerElement)
            .AddBytes(TensorClass.ActivationsWritten, b.NewTokens * m.VocabSize * 4.0), 1);
        ExtrasOps.AddModelOps(b);
    }

    private static OpDraft Norm(LedgerBuilder b, string name, double tokens) =>
        b.Elementwise(name, tokens * b.Model.HiddenSize, 4, tokens * b.Model.HiddenSize, tokens * b.Model.HiddenSize)
            .AddBytes(TensorClass.Weights, b.Model.HiddenSize * 2.0);

    /// <summary>Causal attention over the prompt (flash-style: scores never leave the chip).</summary>
    public static void AddPrefillAttention(LedgerBuilder b, double layers)
    {
        var m = b.Model;
        double pairs = b.Batch * b.ContextTokens * (b.ContextTokens + 1) / 2;
        b.Add(b.Op("attn_prefill", OpKind.Attention, 4 * m.Heads * m.HeadDim * pairs + 5 * m.Heads * pairs, b.GemmDType)
            .AddBytes(TensorClass.ActivationsRead, b.Batch * b.ContextTokens * (m.QDim + 2.0 * m.KvDim) * LedgerBuilder.ActivationBytesPerElement)
            .AddBytes(TensorClass.ActivationsWritten, b.Batch * b.ContextTokens * m.QDim * LedgerBuilder.ActivationBytesPerElement), layers);
    }
}
