namespace XQuant.Sim.Domain.Memory;

/// <summary>
/// Cache bytes, split so every term is visible: quantized payload, scale/zero metadata, the FP16 residual window
/// (recent tokens a per-channel quantizer cannot group yet) and XQuant-CL's accumulator working buffer.
/// </summary>
public sealed record MemoryBreakdown(double PayloadBytes, double MetadataBytes, double WindowBytes, double AccumulatorBytes)
{
    public static readonly MemoryBreakdown Zero = new(0, 0, 0, 0);

    public double TotalBytes => PayloadBytes + MetadataBytes + WindowBytes + AccumulatorBytes;

    public MemoryBreakdown Plus(MemoryBreakdown o) =>
        new(PayloadBytes + o.PayloadBytes, MetadataBytes + o.MetadataBytes, WindowBytes + o.WindowBytes, AccumulatorBytes + o.AccumulatorBytes);

    public MemoryBreakdown Times(double k) =>
        new(PayloadBytes * k, MetadataBytes * k, WindowBytes * k, AccumulatorBytes * k);
}
