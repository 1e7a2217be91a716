using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Domain.CostModel.CacheOps;

/// <summary>
/// XQuant and XQuant-CL on X (d wide): quantize the new token's X (or its delta), dequantize the cache, rebuild
/// the CL accumulator, rematerialize K = X^ Wk and V = X^ Wv for all N tokens, attend.
/// </summary>
public static class XQuantOps
{
    public static void Decode(LedgerBuilder b)
    {
        double d = b.Model.HiddenSize;
        var acc = b.Layout.Accumulator;
        int baseLayers = b.Workload.Scheme is XQuantClScheme cl ? cl.BaseLayers : 0;
        var runs = b.Layout.Runs;
        for (int r = 0; r < runs.Count; r++)
        {
            var (first, count, layer) = runs[r];
            bool delta = acc is not null && first >= baseLayers;
            if (!delta)
            {
                QuantOps.AddQuantize(b, "x_quantize", layer.Tensors, count, TensorClass.XCacheWritten, TensorClass.XCacheRead);
                QuantOps.AddDequantize(b, "x_dequant", layer.Tensors, count, TensorClass.XCacheRead);
            }
            else
            {
                double row = CacheTraffic.AccumulatorRowBytes(acc!);
                // The new token's delta: subtract its accumulator row (1 FLOP/element more), quantize, store.
                QuantOps.AddQuantize(b, "delta_quantize", layer.Tensors, count, TensorClass.XCacheWritten, TensorClass.XCacheRead, extraFlopsPerElement: 1);
                b.Add(b.Op("acc_update_new", OpKind.Elementwise, b.NewTokens * d)
                    .AddBytes(TensorClass.AccumulatorRead, b.NewTokens * row)
                    .AddBytes(TensorClass.AccumulatorWritten, b.NewTokens * row), count);
                QuantOps.AddDequantize(b, "delta_dequant", layer.Tensors, count, TensorClass.XCacheRead);
                AddAccumulate(b, acc!, count);
            }
            AttentionOps.AddRemat(b, count, d);
        }
        if (acc is not null && baseLayers > 0)
        {
            AddAccumulatorInit(b, acc, upProjectWidth: 0);
        }
    }

    /// <summary>X^_i = X^_{i-1} + deQ(dX_i) for every cached token; re-quantized when the accumulator is below 16 bits.</summary>
    public static void AddAccumulate(LedgerBuilder b, AccumulatorBuffer acc, double layers)
    {
        double row = CacheTraffic.AccumulatorRowBytes(acc);
        double flopsPerElement = 1 + (acc.Bits < 16 ? 5 + 2 : 0);
        b.Add(b.Op("accumulate", OpKind.Elementwise, b.Batch * b.ContextTokens * acc.WidthElements * flopsPerElement)
            .AddBytes(TensorClass.AccumulatorRead, b.Batch * b.ContextTokens * row)
            .AddBytes(TensorClass.AccumulatorWritten, b.Batch * b.ContextTokens * row), layers);
    }

    /// <summary>The last base layer seeds the accumulator with its X^ (up-projected from a latent when width &gt; 0).</summary>
    public static void AddAccumulatorInit(LedgerBuilder b, AccumulatorBuffer acc, double upProjectWidth)
    {
        double row = CacheTraffic.AccumulatorRowBytes(acc);
        var op = upProjectWidth > 0
            ? b.Op("acc_init", OpKind.Remat, 2 * b.Batch * b.ContextTokens * upProjectWidth * acc.WidthElements)
                .AddBytes(TensorClass.Weights, upProjectWidth * acc.WidthElements * b.BytesPerWeight)
            : b.Op("acc_init", OpKind.Quantize, acc.Bits < 16 ? 5 * b.Batch * b.ContextTokens * acc.WidthElements : 0);
        b.Add(op.AddBytes(TensorClass.AccumulatorWritten, b.Batch * b.ContextTokens * row), 1);
    }

    public static void Prefill(LedgerBuilder b)
    {
        var m = b.Model;
        var acc = b.Layout.Accumulator;
        int baseLayers = b.Workload.Scheme is XQuantClScheme cl ? cl.BaseLayers : 0;
        var runs = b.Layout.Runs;
        for (int r = 0; r < runs.Count; r++)
        {
            var (first, count, layer) = runs[r];
            // In prefill K and V come straight from the exact X: no rematerialization.
            b.Add(b.Gemm("k_proj", b.Batch * b.ContextTokens, m.HiddenSize, m.KvDim), count);
            b.Add(b.Gemm("v_proj", b.Batch * b.ContextTokens, m.HiddenSize, m.KvDim), count);
            b.Add(b.Elementwise("rope_k", b.Batch * b.ContextTokens * m.KvDim, 3, b.Batch * b.ContextTokens * m.KvDim, b.Batch * b.ContextTokens * m.KvDim), count);
            bool delta = acc is not null && first >= baseLayers;
            if (delta)
            {
                AddAccumulate(b, acc!, count);
            }
            QuantOps.AddPrefillWrite(b, delta ? "delta_quantize" : "x_quantize", layer.Tensors, count, TensorClass.XCacheWritten);
        }
    }
}
