using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Domain.CostModel.CacheOps;

/// <summary>
/// Quantize-on-append and dequantize-on-read of cached tensors. FLOPs: 5 per quantized element (range, scale,
/// round), 2 per dequantized element (x = q s + z); FP16 window tokens need no dequantization.
/// </summary>
/// <remarks>
/// Loops over the tensors, not LINQ: these run for every cache op of every swept case, where a closure and a boxed
/// enumerator per sum were a good part of what a case allocated. Sums add in tensor order, as Enumerable.Sum did.
/// </remarks>
public static class QuantOps
{
    /// <summary>Whether any of the tensors is quantized (an FP16 cache only copies).</summary>
    public static bool AnyQuantized(IReadOnlyList<CachedTensor> tensors)
    {
        for (int i = 0; i < tensors.Count; i++)
        {
            if (tensors[i].IsQuantized)
            {
                return true;
            }
        }
        return false;
    }

    public static void AddQuantize(LedgerBuilder b, string name, IReadOnlyList<CachedTensor> tensors, double layers, TensorClass written, TensorClass read, double extraFlopsPerElement = 0)
    {
        double tokens = b.NewTokens;
        double flops = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            flops += tokens * t.WidthElements * ((t.IsQuantized ? 5 : 0) + extraFlopsPerElement);
        }
        // Appending to an FP16 cache is a copy, not a quantization.
        var op = b.Op(name, AnyQuantized(tensors) ? OpKind.Quantize : OpKind.Elementwise, flops);
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            var (w, r, meta) = CacheTraffic.AppendOneToken(t);
            op.AddBytes(written, tokens * w).AddBytes(read, tokens * r).AddBytes(TensorClass.Metadata, tokens * meta);
        }
        b.Add(op, layers);
    }

    /// <summary>Reads every cached token of the tensors; the dequantized values go straight to the consumer on chip.</summary>
    public static void AddDequantize(LedgerBuilder b, string name, IReadOnlyList<CachedTensor> tensors, double layers, TensorClass read)
    {
        double flops = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            flops += 2 * b.Batch * CacheTraffic.QuantizedTokens(t, b.ContextTokens) * t.WidthElements;
        }
        var op = b.Op(name, OpKind.Dequantize, flops).AsVariant("fused");
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            var (data, meta) = CacheTraffic.Read(t, b.ContextTokens);
            op.AddBytes(read, b.Batch * data).AddBytes(TensorClass.Metadata, b.Batch * meta);
        }
        b.Add(op, layers);
    }

    /// <summary>Prefill writes the whole prompt into the cache once: quantize every token, write packed rows.</summary>
    public static void AddPrefillWrite(LedgerBuilder b, string name, IReadOnlyList<CachedTensor> tensors, double layers, TensorClass written)
    {
        double flops = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            flops += b.Batch * b.ContextTokens * t.WidthElements * (t.IsQuantized ? 5 : 0);
        }
        var op = b.Op(name, OpKind.Quantize, flops);
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            var m = Memory.CacheMemory.ForTensor(t, b.ContextTokens);
            op.AddBytes(written, b.Batch * (m.PayloadBytes + m.WindowBytes)).AddBytes(TensorClass.Metadata, b.Batch * m.MetadataBytes);
        }
        b.Add(op, layers);
    }
}
