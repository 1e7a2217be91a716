using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Domain.CostModel.CacheOps;

/// <summary>FP16 KV and KIVI*: K and V are projected for the new token and stored; attention reads the cache.</summary>
public static class KvCacheOps
{
    public static void Decode(LedgerBuilder b)
    {
        var m = b.Model;
        var runs = b.Layout.Runs;
        for (int r = 0; r < runs.Count; r++)
        {
            var (_, count, layer) = runs[r];
            b.Add(b.Gemm("k_proj", b.NewTokens, m.HiddenSize, m.KvDim), count);
            b.Add(b.Gemm("v_proj", b.NewTokens, m.HiddenSize, m.KvDim), count);
            b.Add(b.Elementwise("rope_k", b.NewTokens * m.KvDim, 3, b.NewTokens * m.KvDim, b.NewTokens * m.KvDim), count);
            bool quantized = QuantOps.AnyQuantized(layer.Tensors);
            if (!quantized)
            {
                QuantOps.AddQuantize(b, "kv_append", layer.Tensors, count, TensorClass.KvCacheWritten, TensorClass.KvCacheRead);
                double kBytes = b.Batch * b.ContextTokens * m.KvDim * 2.0;
                AttentionOps.Add(b, count, TensorClass.KvCacheRead, kBytes, kBytes, variant: "fp16_kv");
                continue;
            }
            QuantOps.AddQuantize(b, "kv_quantize", layer.Tensors, count, TensorClass.KvCacheWritten, TensorClass.KvCacheRead);
            QuantOps.AddDequantize(b, "kv_dequant", layer.Tensors, count, TensorClass.KvCacheRead);
            if (b.Workload.Scheme is KiviScheme { PreRopeKeys: true })
            {
                // Keys were quantized before RoPE (KIVI* as the paper runs it): rotate every cached key each step, on chip.
                b.Add(b.Op("rope_k_cache", OpKind.Elementwise, 3 * b.Batch * b.ContextTokens * m.KvDim), count);
            }
            AttentionOps.Add(b, count, TensorClass.KvCacheRead, 0, 0);
        }
    }

    public static void Prefill(LedgerBuilder b)
    {
        var m = b.Model;
        var runs = b.Layout.Runs;
        for (int r = 0; r < runs.Count; r++)
        {
            var (_, count, layer) = runs[r];
            b.Add(b.Gemm("k_proj", b.Batch * b.ContextTokens, m.HiddenSize, m.KvDim), count);
            b.Add(b.Gemm("v_proj", b.Batch * b.ContextTokens, m.HiddenSize, m.KvDim), count);
            b.Add(b.Elementwise("rope_k", b.Batch * b.ContextTokens * m.KvDim, 3, b.Batch * b.ContextTokens * m.KvDim, b.Batch * b.ContextTokens * m.KvDim), count);
            QuantOps.AddPrefillWrite(b, QuantOps.AnyQuantized(layer.Tensors) ? "kv_quantize" : "kv_append", layer.Tensors, count, TensorClass.KvCacheWritten);
        }
    }
}
