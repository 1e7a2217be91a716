using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Domain.CostModel;

/// <summary>
/// An op while the ledger builds it: one layer's FLOPs, then its bytes class by class (<see cref="AddBytes"/> adds in
/// place, as a builder does). <see cref="Build"/> turns it into the immutable <see cref="OpCost"/> the ledger holds.
/// </summary>
public sealed class OpDraft
{
    private ClassBytes _bytes;
    private string? _variant;
    private double _linkSec;
    private OpKind _kind;
    private double _flops;
    private DType _dtype;

    public OpDraft(string name, OpKind kind, double flops, DType dtype)
    {
        Name = name;
        _kind = kind;
        _flops = flops;
        _dtype = dtype;
    }

    public string Name { get; private set; }

    /// <summary>
    /// Makes this draft a fresh op, as the constructor would: <see cref="LedgerBuilder"/> hands out again a draft
    /// that <see cref="LedgerBuilder.Add"/> has consumed (a swept case built ~50 drafts, a third of its allocation).
    /// </summary>
    internal void Reset(string name, OpKind kind, double flops, DType dtype)
    {
        Name = name;
        _kind = kind;
        _flops = flops;
        _dtype = dtype;
        _bytes = default;
        _variant = null;
        _linkSec = 0;
    }

    public OpDraft AddBytes(TensorClass c, double bytes)
    {
        _bytes[(int)c] += bytes;
        return this;
    }

    /// <summary>Takes the calibrated rate of an implementation variant (see <see cref="OpCost.Variant"/>).</summary>
    public OpDraft AsVariant(string? variant)
    {
        _variant = variant;
        return this;
    }

    /// <summary>Time on the device link for one repetition (communication ops: a collective's alpha-beta cost).</summary>
    public OpDraft OnLink(double sec)
    {
        _linkSec = sec;
        return this;
    }

    /// <summary>
    /// The ledger entry: transient tensors that fit in <paramref name="onChipCapacityBytes"/> are served on chip (decided
    /// at this one-layer size), then everything is repeated <paramref name="times"/> times (e.g. every layer).
    /// </summary>
    public OpCost Build(double onChipCapacityBytes, double times = 1)
    {
        double dram = 0, onChip = 0;
        var bytes = default(ClassBytes);
        for (int i = 0; i < TensorClasses.Count; i++)
        {
            bytes[i] = _bytes[i] * times;
            if (((TensorClass)i).IsTransient() && _bytes[i] <= onChipCapacityBytes)
            {
                onChip += bytes[i];
            }
            else
            {
                dram += bytes[i];
            }
        }
        return new OpCost(Name, _kind, _flops * times, _dtype, launchCount: times, _variant, in bytes, dram, onChip, _linkSec * times);
    }
}
