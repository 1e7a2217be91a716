using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Domain.CostModel.CacheOps;

/// <summary>
/// XQuant on an MLA model: the cache holds Q(X), the post-norm layer input (d wide), and every decode step recomputes
/// the compressed latent and the decoupled RoPE key, c = X^ W_DKV (d x (kv_lora + rope)), for all N = l + 1 tokens,
/// re-applies the latent's RMSNorm and the key's RoPE, then attends in the absorbed form exactly as the native cache
/// does. The recompute is 2 d (kv_lora + rope) FLOPs per attended token per layer (d (kv_lora + rope) multiply-adds),
/// its own Remat entry. Fused: the latent tiles are produced and consumed on chip (a FlashMLA kernel with a GEMM
/// prologue, which no engine ships today); unfused: the latent is written to DRAM and read back by the scores.
/// Prefill projects the exact latent for the prompt's attention and writes X instead of the latent.
/// </summary>
public static class MlaXQuantOps
{
    public static void Decode(LedgerBuilder b)
    {
        var m = b.Model;
        var a = m.Mla!;
        double d = m.HiddenSize, act = LedgerBuilder.ActivationBytesPerElement;
        bool unfused = b.Workload.Scheme.Remat == RematMode.Unfused;
        double tokens = b.Batch * b.AttendedTokens;
        double latentBytes = unfused ? tokens * a.LatentWidth * act : 0;
        double normBytes = unfused ? tokens * a.KvLoraRank * act : 0;
        double ropeBytes = unfused ? tokens * a.QkRopeHeadDim * act : 0;
        var runs = b.Layout.Runs;
        for (int r = 0; r < runs.Count; r++)
        {
            var (_, count, layer) = runs[r];
            QuantOps.AddQuantize(b, "x_quantize", layer.Tensors, count, TensorClass.XCacheWritten, TensorClass.XCacheRead);
            QuantOps.AddDequantize(b, "x_dequant", layer.Tensors, count, TensorClass.XCacheRead);
            b.Add(b.Op("remat_latent", OpKind.Remat, 2 * tokens * d * a.LatentWidth)
                .AddBytes(TensorClass.Weights, d * a.LatentWidth * b.BytesPerWeight)
                .AddBytes(TensorClass.ActivationsWritten, latentBytes), count);
            b.Add(b.Op("remat_kv_a_norm", OpKind.Elementwise, 4 * tokens * a.KvLoraRank)
                .AddBytes(TensorClass.Weights, a.KvLoraRank * 2.0)
                .AddBytes(TensorClass.ActivationsRead, normBytes)
                .AddBytes(TensorClass.ActivationsWritten, normBytes), count);
            b.Add(b.Op("rope_k", OpKind.Elementwise, 3 * tokens * a.QkRopeHeadDim)
                .AddBytes(TensorClass.ActivationsRead, ropeBytes)
                .AddBytes(TensorClass.ActivationsWritten, ropeBytes), count);
            MlaOps.AddAbsorbedAttention(b, count, TensorClass.ActivationsRead, latentBytes);
        }
    }

    public static void Prefill(LedgerBuilder b) => MlaOps.Prefill(b, "x_quantize", TensorClass.XCacheWritten);
}
