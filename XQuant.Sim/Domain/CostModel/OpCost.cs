using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Domain.CostModel;

/// <summary>
/// One ledger entry, immutable: an operator's FLOPs in one compute dtype and its bytes split by tensor class, for the
/// whole batch in one step (all layers, or the model-level ops). <see cref="LaunchCount"/> counts launches for the
/// fixed per-kernel latency. Built from an <see cref="OpDraft"/>.
/// </summary>
public sealed class OpCost
{
    private readonly ClassBytes _bytes;

    /// <summary>An entry as <see cref="OpDraft.Build"/> makes it, its bytes by class held inline (one object per op, not two).</summary>
    internal OpCost(string name, OpKind kind, double flops, DType dtype, double launchCount, string? variant, in ClassBytes bytesByClass, double dramBytes, double onChipBytes, double linkSec = 0)
    {
        LinkSec = linkSec;
        Name = name;
        Kind = kind;
        Flops = flops;
        DType = dtype;
        LaunchCount = launchCount;
        Variant = variant;
        _bytes = bytesByClass;
        DramBytes = dramBytes;
        OnChipBytes = onChipBytes;
    }

    public string Name { get; }
    public OpKind Kind { get; }
    public double Flops { get; }
    public DType DType { get; }
    public double LaunchCount { get; }

    /// <summary>
    /// The implementation variant whose calibrated rate this op takes before its class's: "fused" for
    /// dequantization inside a consumer's tiles (it never writes its output to memory), "per_channel" for
    /// quantization over token groups, "fp16_kv" for attention reading an FP16 cache directly (a CPU widens every
    /// element), with "_gqa" (or "gqa" alone) for attention over grouped KV heads, whose per-element work is shared by
    /// the query heads of a group. Null: the class rate. See <see cref="Roofline.RateKey"/>.
    /// </summary>
    public string? Variant { get; }

    /// <summary>Bytes served by DRAM, as <see cref="OpDraft.Build"/> placed them.</summary>
    public double DramBytes { get; }

    /// <summary>Transient bytes that fit in on-chip SRAM and are served from there.</summary>
    public double OnChipBytes { get; }

    /// <summary>Time on the device link (communication ops only): the collective's cost, not a roofline time.</summary>
    public double LinkSec { get; }

    public double TotalBytes => _bytes.Sum();

    public double Bytes(TensorClass c) => _bytes[(int)c];

    /// <summary>A copy that takes the calibrated rate of <paramref name="variant"/> (the bytes are copied: they live inline).</summary>
    public OpCost AsVariant(string? variant) => new(Name, Kind, Flops, DType, LaunchCount, variant, in _bytes, DramBytes, OnChipBytes, LinkSec);

    /// <summary>The total of this op and another of the same name (a ledger lists each operator once).</summary>
    public OpCost Plus(OpCost other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var bytes = default(ClassBytes);
        for (int i = 0; i < TensorClasses.Count; i++)
        {
            bytes[i] = _bytes[i] + other._bytes[i];
        }
        return new(Name, Kind, Flops + other.Flops, DType, LaunchCount + other.LaunchCount, Variant, in bytes, DramBytes + other.DramBytes, OnChipBytes + other.OnChipBytes, LinkSec + other.LinkSec);
    }
}
