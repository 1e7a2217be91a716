using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;

namespace XQuant.Sim.Domain.CostModel.CacheOps;

/// <summary>
/// Multi-head latent attention. Decode runs in the absorbed form (DeepSeek-V2 section 2.1.2, FlashMLA): each head's
/// no-RoPE query is multiplied into the latent space (q W_UK), scores are taken against the cached latent + RoPE key
/// (kv_lora + rope per attended token per head), the weighted sum stays in the latent (kv_lora per token per head) and
/// W_UV up-projects it once per head. The cache is read once per layer and shared by every head. Prefill
/// materializes K and V (kv_b) and attends in the ordinary form.
/// </summary>
public static class MlaOps
{
    /// <summary>Query and output projections of an MLA layer (the dense model's q_proj, rope_q and o_proj).</summary>
    public static void AddProjections(LedgerBuilder b, double tokens, double layers)
    {
        var m = b.Model;
        var a = m.Mla!;
        double d = m.HiddenSize, h = m.Heads;
        if (a.QLoraRank > 0)
        {
            b.Add(b.Gemm("q_a_proj", tokens, d, a.QLoraRank), layers);
            b.Add(b.Elementwise("q_a_norm", tokens * a.QLoraRank, 4, tokens * a.QLoraRank, tokens * a.QLoraRank)
                .AddBytes(TensorClass.Weights, a.QLoraRank * 2.0), layers);
            b.Add(b.Gemm("q_b_proj", tokens, a.QLoraRank, h * a.QkHeadDim), layers);
        }
        else
        {
            b.Add(b.Gemm("q_proj", tokens, d, h * a.QkHeadDim), layers);
        }
        b.Add(b.Elementwise("rope_q", tokens * h * a.QkRopeHeadDim, 3, tokens * h * a.QkRopeHeadDim, tokens * h * a.QkRopeHeadDim), layers);
        b.Add(b.Gemm("o_proj", tokens, h * a.VHeadDim, d), layers);
    }

    internal static void AddLatentProjection(LedgerBuilder b, double tokens, double layers)
    {
        var a = b.Model.Mla!;
        b.Add(b.Gemm("kv_a_proj", tokens, b.Model.HiddenSize, a.LatentWidth), layers);
        b.Add(b.Elementwise("kv_a_norm", tokens * a.KvLoraRank, 4, tokens * a.KvLoraRank, tokens * a.KvLoraRank)
            .AddBytes(TensorClass.Weights, a.KvLoraRank * 2.0), layers);
        b.Add(b.Elementwise("rope_k", tokens * a.QkRopeHeadDim, 3, tokens * a.QkRopeHeadDim, tokens * a.QkRopeHeadDim), layers);
    }

    public static void Decode(LedgerBuilder b)
    {
        var a = b.Model.Mla!;
        var runs = b.Layout.Runs;
        for (int r = 0; r < runs.Count; r++)
        {
            var (_, count, layer) = runs[r];
            AddLatentProjection(b, b.NewTokens, count);
            bool quantized = QuantOps.AnyQuantized(layer.Tensors);
            QuantOps.AddQuantize(b, quantized ? "latent_quantize" : "latent_append", layer.Tensors, count, TensorClass.KvCacheWritten, TensorClass.KvCacheRead);
            if (quantized)
            {
                QuantOps.AddDequantize(b, "latent_dequant", layer.Tensors, count, TensorClass.KvCacheRead);
            }
            double cacheBytes = quantized ? 0 : b.Batch * b.ContextTokens * a.LatentWidth * 2.0;
            AddAbsorbedAttention(b, count, TensorClass.KvCacheRead, cacheBytes);
        }
    }

    /// <summary>
    /// The absorbed decode attention of <paramref name="count"/> layers: q W_UK, scores over latent + RoPE key, the
    /// weighted sum in the latent, W_UV. <paramref name="latentBytes"/> is what the scores read for the latent (charged
    /// to <paramref name="source"/>); 0 when it arrives on chip (dequantized or recomputed in a fused prologue).
    /// </summary>
    internal static void AddAbsorbedAttention(LedgerBuilder b, double count, TensorClass source, double latentBytes)
    {
        var a = b.Model.Mla!;
        double h = b.Model.Heads, act = LedgerBuilder.ActivationBytesPerElement;
        b.Add(b.Op("q_absorb", OpKind.Gemm, 2 * b.NewTokens * h * a.QkNopeHeadDim * a.KvLoraRank)
            .AddBytes(TensorClass.Weights, h * a.QkNopeHeadDim * a.KvLoraRank * b.BytesPerWeight)
            .AddBytes(TensorClass.ActivationsRead, b.NewTokens * h * a.QkNopeHeadDim * act)
            .AddBytes(TensorClass.ActivationsWritten, b.NewTokens * h * a.KvLoraRank * act), count);
        b.Add(b.Op("attn_scores", OpKind.Attention, 2 * b.Batch * h * a.LatentWidth * b.AttentionPairs, b.GemmDType).AsVariant("mla")
            .AddBytes(TensorClass.ActivationsRead, b.NewTokens * h * a.LatentWidth * act)
            .AddBytes(source, latentBytes), count);
        b.Add(b.Op("softmax", OpKind.Elementwise, 5 * b.Batch * h * b.AttentionPairs), count);
        // The latent tile read for the scores is the value too: no second read.
        b.Add(b.Op("attn_output", OpKind.Attention, 2 * b.Batch * h * a.KvLoraRank * b.AttentionPairs, b.GemmDType).AsVariant("mla")
            .AddBytes(TensorClass.ActivationsWritten, b.NewTokens * h * a.KvLoraRank * act), count);
        b.Add(b.Op("v_up", OpKind.Gemm, 2 * b.NewTokens * h * a.KvLoraRank * a.VHeadDim)
            .AddBytes(TensorClass.Weights, a.KvLoraRank * h * a.VHeadDim * b.BytesPerWeight)
            .AddBytes(TensorClass.ActivationsRead, b.NewTokens * h * a.KvLoraRank * act)
            .AddBytes(TensorClass.ActivationsWritten, b.NewTokens * h * a.VHeadDim * act), count);
    }

    public static void Prefill(LedgerBuilder b) => Prefill(b, null, TensorClass.KvCacheWritten);

    /// <summary>
    /// The prompt's exact latent (its attention needs it whatever is cached), the cache write under
    /// <paramref name="writeName"/> into <paramref name="written"/> (null: latent_quantize or latent_append by the
    /// layer's tensors), and the materializing kv_b_proj.
    /// </summary>
    internal static void Prefill(LedgerBuilder b, string? writeName, TensorClass written)
    {
        var m = b.Model;
        var a = m.Mla!;
        double tokens = b.Batch * b.ContextTokens;
        var runs = b.Layout.Runs;
        for (int r = 0; r < runs.Count; r++)
        {
            var (_, count, layer) = runs[r];
            AddLatentProjection(b, tokens, count);
            string name = writeName ?? (QuantOps.AnyQuantized(layer.Tensors) ? "latent_quantize" : "latent_append");
            QuantOps.AddPrefillWrite(b, name, layer.Tensors, count, written);
            b.Add(b.Gemm("kv_b_proj", tokens, a.KvLoraRank, m.Heads * (a.QkNopeHeadDim + a.VHeadDim)), count);
        }
    }

    /// <summary>Causal prompt attention with materialized heads: (nope + rope) for the scores, v for the output.</summary>
    public static void AddPrefillAttention(LedgerBuilder b, double layers)
    {
        var m = b.Model;
        var a = m.Mla!;
        double h = m.Heads, act = LedgerBuilder.ActivationBytesPerElement;
        double pairs = b.Batch * b.ContextTokens * (b.ContextTokens + 1) / 2;
        double tokens = b.Batch * b.ContextTokens;
        b.Add(b.Op("attn_prefill", OpKind.Attention, 2 * h * (a.QkHeadDim + a.VHeadDim) * pairs + 5 * h * pairs, b.GemmDType)
            .AddBytes(TensorClass.ActivationsRead, tokens * h * (2.0 * a.QkHeadDim + a.VHeadDim) * act)
            .AddBytes(TensorClass.ActivationsWritten, tokens * h * a.VHeadDim * act), layers);
    }
}
