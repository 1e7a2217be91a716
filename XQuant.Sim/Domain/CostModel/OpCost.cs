using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Domain.CostModel;

/// <summary>
/// One ledger entry: an operator's FLOPs in one compute dtype and its bytes split by tensor class, for the whole
/// batch in one step (one layer, or the model-level ops). <see cref="LaunchCount"/> counts launches for the fixed
/// per-kernel latency.
/// </summary>
public sealed class OpCost
{
    private readonly double[] _bytes = new double[TensorClasses.Count];

    public OpCost(string name, OpKind kind, double flops, DType dtype)
    {
        Name = name;
        Kind = kind;
        Flops = flops;
        DType = dtype;
    }

    public string Name { get; }
    public OpKind Kind { get; }
    public double Flops { get; private set; }
    public DType DType { get; }
    public double LaunchCount { get; private set; } = 1;

    /// <summary>
    /// The implementation variant whose calibrated rate this op takes before its class's: "fused" for
    /// dequantization inside a consumer's tiles (it never writes its output to memory), "per_channel" for
    /// quantization over token groups, "fp16_kv" for attention reading an FP16 cache directly (a CPU widens every
    /// element), with "_gqa" (or "gqa" alone) for attention over grouped KV heads, whose per-element work is shared by
    /// the query heads of a group. Null: the class rate. See <see cref="Roofline.RateKey"/>.
    /// </summary>
    public string? Variant { get; private set; }

    public OpCost AsVariant(string? variant)
    {
        Variant = variant;
        return this;
    }

    public double Bytes(TensorClass c) => _bytes[(int)c];

    /// <summary>Bytes served by DRAM, after <see cref="Placement"/> decided what stays on chip.</summary>
    public double DramBytes { get; private set; }

    /// <summary>Transient bytes that fit in on-chip SRAM and are served from there.</summary>
    public double OnChipBytes { get; private set; }

    /// <summary>Splits traffic between DRAM and on-chip SRAM; call once on the unscaled (per-layer) op.</summary>
    public void Place(double onChipCapacityBytes)
    {
        DramBytes = 0;
        OnChipBytes = 0;
        for (int i = 0; i < _bytes.Length; i++)
        {
            var c = (TensorClass)i;
            if (c.IsTransient() && _bytes[i] <= onChipCapacityBytes)
            {
                OnChipBytes += _bytes[i];
            }
            else
            {
                DramBytes += _bytes[i];
            }
        }
    }

    public double TotalBytes => _bytes.Sum();

    public OpCost With(TensorClass c, double bytes)
    {
        _bytes[(int)c] += bytes;
        return this;
    }

    /// <summary>Multiplies this op in place by <paramref name="times"/>; the builder owns per-layer ops, so no copy is needed.</summary>
    public OpCost ScaleInPlace(double times)
    {
        Flops *= times;
        LaunchCount *= times;
        DramBytes *= times;
        OnChipBytes *= times;
        for (int i = 0; i < _bytes.Length; i++)
        {
            _bytes[i] *= times;
        }
        return this;
    }

    /// <summary>Adds another op of the same name into this one (used to total a ledger by op name).</summary>
    public void Accumulate(OpCost other)
    {
        Flops += other.Flops;
        LaunchCount += other.LaunchCount;
        DramBytes += other.DramBytes;
        OnChipBytes += other.OnChipBytes;
        for (int i = 0; i < _bytes.Length; i++)
        {
            _bytes[i] += other._bytes[i];
        }
    }
}
