using XQuant.Sim.Domain.Memory;
using XQuant.Sim.Domain.Schemes;


namespace XQuant.Sim.Domain.CostModel;

/// <summary>Bytes a decode step moves for one cached tensor of one sequence: reading all of it, appending one token.</summary>
public static class CacheTraffic
{
    /// <summary>Reading the whole tensor at a context: (payload + FP16 window, metadata).</summary>
    public static (double Data, double Metadata) Read(CachedTensor t, double contextTokens)
    {
        var m = CacheMemory.ForTensor(t, contextTokens);
        return (m.PayloadBytes + m.WindowBytes, m.MetadataBytes);
    }

    /// <summary>
    /// Appending one token, amortized: a per-token tensor writes one packed row and its groups' metadata. A
    /// per-channel tensor with a window writes the token to the FP16 window, and every G steps reads G tokens
    /// back from it and writes one quantized group: per step, one FP16 row read plus one packed row and
    /// width/G metadata entries written.
    /// </summary>
    public static (double Written, double Read, double Metadata) AppendOneToken(CachedTensor t)
    {
        double fp16Row = t.WidthElements * 2.0;
        if (!t.IsQuantized)
        {
            return (fp16Row, 0, 0);
        }
        double packedRow = Math.Ceiling(t.WidthElements * (double)t.Bits / 8.0);
        if (t.Axis == QuantAxis.PerToken && t.WindowTokens == 0)
        {
            return (packedRow, 0, Math.Ceiling(t.WidthElements / (double)t.GroupSize) * t.MetadataBytesPerGroup);
        }
        double metadata = t.Axis == QuantAxis.PerToken
            ? Math.Ceiling(t.WidthElements / (double)t.GroupSize) * t.MetadataBytesPerGroup
            : t.WidthElements * (double)t.MetadataBytesPerGroup / t.GroupSize;
        return t.WindowTokens > 0 ? (fp16Row + packedRow, fp16Row, metadata) : (packedRow, 0, metadata);
    }

    /// <summary>Tokens of a tensor that are quantized (outside the FP16 window) at a context.</summary>
    public static double QuantizedTokens(CachedTensor t, double contextTokens) =>
        t.IsQuantized ? contextTokens - t.WindowAt(contextTokens) : 0;

    /// <summary>Bytes of one accumulator row (the CL running sum for one token).</summary>
    public static double AccumulatorRowBytes(AccumulatorBuffer acc) => CacheMemory.AccumulatorBytes(acc, 1);
}
