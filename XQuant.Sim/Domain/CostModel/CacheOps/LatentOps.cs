using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Domain.CostModel.CacheOps;

/// <summary>
/// The GQA forms. xquant-gqa: project the new token onto Uk and Uv (d x d_kv each), cache the latents, and
/// rematerialize K = (X Uk)^ (Sk Bk^T), V = (X Uv)^ (Sv Bv^T) with d_kv x d_kv matrices. xquant-cl-gqa: latents
/// of Wkv = [Wk | Wv] (2 d_kv wide); delta layers up-project with Ukv^T to d, add to the accumulator and
/// multiply by Wk and Wv: 8 l d_kv d FLOPs per layer, as the paper counts.
/// </summary>
public static class LatentOps
{
    public static void Decode(LedgerBuilder b)
    {
        var m = b.Model;
        double d = m.HiddenSize;
        double kd = b.LatentKvDim;
        var acc = b.Layout.Accumulator;
        int baseLayers = b.Workload.Scheme is XQuantClGqaScheme cl ? cl.BaseLayers : 0;
        var runs = b.Layout.Runs;
        for (int r = 0; r < runs.Count; r++)
        {
            var (first, count, layer) = runs[r];
            bool delta = acc is not null && first >= baseLayers;
            if (!delta)
            {
                b.Add(b.Gemm("latent_proj", b.NewTokens, d, 2 * kd), count);
                QuantOps.AddQuantize(b, "latent_quantize", layer.Tensors, count, TensorClass.XCacheWritten, TensorClass.XCacheRead);
                QuantOps.AddDequantize(b, "latent_dequant", layer.Tensors, count, TensorClass.XCacheRead);
                // xquant-gqa: each latent is d_kv wide; the CL base latent of [Wk|Wv] is 2 d_kv wide.
                AttentionOps.AddRemat(b, count, acc is null ? kd : 2 * kd);
                continue;
            }
            double row = CacheTraffic.AccumulatorRowBytes(acc!);
            b.Add(b.Gemm("delta_latent_proj", b.NewTokens, d, 2 * kd), count);
            b.Add(b.Op("acc_update_new", OpKind.Elementwise, b.NewTokens * d)
                .AddBytes(TensorClass.AccumulatorRead, b.NewTokens * row)
                .AddBytes(TensorClass.AccumulatorWritten, b.NewTokens * row), count);
            QuantOps.AddQuantize(b, "delta_quantize", layer.Tensors, count, TensorClass.XCacheWritten, TensorClass.XCacheRead);
            QuantOps.AddDequantize(b, "delta_dequant", layer.Tensors, count, TensorClass.XCacheRead);
            b.Add(b.Op("up_project", OpKind.Remat, 2 * b.Batch * b.ContextTokens * 2 * kd * d)
                .AddBytes(TensorClass.Weights, 2 * kd * d * b.BytesPerWeight), count);
            XQuantOps.AddAccumulate(b, acc!, count);
            AttentionOps.AddRemat(b, count, d);
        }
        if (acc is not null && baseLayers > 0)
        {
            XQuantOps.AddAccumulatorInit(b, acc, upProjectWidth: 2 * kd);
        }
    }

    public static void Prefill(LedgerBuilder b)
    {
        var m = b.Model;
        double tokens = b.Batch * b.ContextTokens;
        var acc = b.Layout.Accumulator;
        int baseLayers = b.Workload.Scheme is XQuantClGqaScheme cl ? cl.BaseLayers : 0;
        var runs = b.Layout.Runs;
        for (int r = 0; r < runs.Count; r++)
        {
            var (first, count, layer) = runs[r];
            b.Add(b.Gemm("k_proj", tokens, m.HiddenSize, m.KvDim), count);
            b.Add(b.Gemm("v_proj", tokens, m.HiddenSize, m.KvDim), count);
            b.Add(b.Elementwise("rope_k", tokens * m.KvDim, 3, tokens * m.KvDim, tokens * m.KvDim), count);
            b.Add(b.Gemm("latent_proj", tokens, m.HiddenSize, 2.0 * b.LatentKvDim), count);
            bool delta = acc is not null && first >= baseLayers;
            if (delta)
            {
                XQuantOps.AddAccumulate(b, acc!, count);
            }
            QuantOps.AddPrefillWrite(b, delta ? "delta_quantize" : "latent_quantize", layer.Tensors, count, TensorClass.XCacheWritten);
        }
    }
}
