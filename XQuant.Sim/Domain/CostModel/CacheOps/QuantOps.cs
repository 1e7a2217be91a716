using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Domain.CostModel.CacheOps;

/// <summary>
/// Quantize-on-append and dequantize-on-read of cached tensors. FLOPs: 5 per quantized element (range, scale,
/// round), 2 per dequantized element (x = q s + z); FP16 window tokens need no dequantization.
/// </summary>
public static class QuantOps
{
    public static void AddQuantize(LedgerBuilder b, string name, IReadOnlyList<CachedTensor> tensors, double layers, TensorClass written, TensorClass read, double extraFlopsPerElement = 0)
    {
        double tokens = b.NewTokens;
        double flops = tensors.Sum(t => tokens * t.WidthElements * ((t.IsQuantized ? 5 : 0) + extraFlopsPerElement));
        // Appending to an FP16 cache is a copy, not a quantization.
        var op = b.Op(name, tensors.Any(t => t.IsQuantized) ? OpKind.Quantize : OpKind.Elementwise, flops);
        foreach (var t in tensors)
        {
            var (w, r, meta) = CacheTraffic.AppendOneToken(t);
            op.AddBytes(written, tokens * w).AddBytes(read, tokens * r).AddBytes(TensorClass.Metadata, tokens * meta);
        }
        b.Add(op, layers);
    }

    /// <summary>Reads every cached token of the tensors; the dequantized values go straight to the consumer on chip.</summary>
    public static void AddDequantize(LedgerBuilder b, string name, IReadOnlyList<CachedTensor> tensors, double layers, TensorClass read)
    {
        double flops = tensors.Sum(t => 2 * b.Batch * CacheTraffic.QuantizedTokens(t, b.ContextTokens) * t.WidthElements);
        var op = b.Op(name, OpKind.Dequantize, flops).AsVariant("fused");
        foreach (var t in tensors)
        {
            var (data, meta) = CacheTraffic.Read(t, b.ContextTokens);
            op.AddBytes(read, b.Batch * data).AddBytes(TensorClass.Metadata, b.Batch * meta);
        }
        b.Add(op, layers);
    }

    /// <summary>Prefill writes the whole prompt into the cache once: quantize every token, write packed rows.</summary>
    public static void AddPrefillWrite(LedgerBuilder b, string name, IReadOnlyList<CachedTensor> tensors, double layers, TensorClass written)
    {
        double flops = tensors.Sum(t => b.Batch * b.ContextTokens * t.WidthElements * (t.IsQuantized ? 5 : 0));
        var op = b.Op(name, OpKind.Quantize, flops);
        foreach (var t in tensors)
        {
            var m = Memory.CacheMemory.ForTensor(t, b.ContextTokens);
            op.AddBytes(written, b.Batch * (m.PayloadBytes + m.WindowBytes)).AddBytes(TensorClass.Metadata, b.Batch * m.MetadataBytes);
        }
        b.Add(op, layers);
    }
}
