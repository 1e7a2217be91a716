using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Domain.CostModel;

/// <summary>
/// A whole step (one decode step or one prefill) as a ledger of timed ops, with the two step-time forms:
/// <list type="bullet">
/// <item><see cref="SerialSec"/>: the sum of per-op roofline times (no overlap across ops; each op waits for the
/// previous).</item>
/// <item><see cref="OverlappedSec"/>: max(sum of compute times, sum of memory times), i.e. perfect overlap of
/// compute and memory across the whole step, the optimistic bound.</item>
/// </list>
/// </summary>
public sealed record StepCost
{
    public StepCost(IReadOnlyList<OpTiming> ops, Provenance provenance, IReadOnlyList<string> notes)
    {
        Ops = ops;
        Provenance = provenance;
        Notes = notes;
        foreach (var o in ops)
        {
            Flops += o.Op.Flops;
            DramBytes += o.Op.DramBytes;
            OnChipBytes += o.Op.OnChipBytes;
            ComputeSec += o.ComputeSec;
            MemorySec += o.MemorySec;
            LaunchSec += o.LaunchSec;
            LinkSec += o.LinkSec;
            SerialSec += o.TimeSec;
        }
    }

    public IReadOnlyList<OpTiming> Ops { get; }
    public Provenance Provenance { get; }
    public IReadOnlyList<string> Notes { get; }
    public double Flops { get; }
    public double DramBytes { get; }
    public double OnChipBytes { get; }
    public double ComputeSec { get; }
    public double MemorySec { get; }
    public double LaunchSec { get; }
    public double SerialSec { get; }

    /// <summary>Time on the device link (tensor/pipeline-parallel communication), never overlapped with compute.</summary>
    public double LinkSec { get; }

    public double OverlappedSec => Overlapped(ComputeSec, MemorySec, LaunchSec, LinkSec);

    /// <summary>The overlapped form from a step's four sums (also <see cref="Roofline.OverlappedSec"/>'s, so the two agree to the bit).</summary>
    internal static double Overlapped(double computeSec, double memorySec, double launchSec, double linkSec) =>
        Math.Max(computeSec, memorySec) + launchSec + linkSec;
    public Bound Bound => ComputeSec > MemorySec ? Bound.Compute : Bound.Memory;
    public double ArithmeticIntensity => DramBytes > 0 ? Flops / DramBytes : double.PositiveInfinity;

    public double Bytes(TensorClass c) => Ops.Sum(o => o.Op.Bytes(c));

    /// <summary>FLOPs of the ops of one kind (e.g. all rematerialization).</summary>
    public double FlopsOf(OpKind kind) => Ops.Where(o => o.Op.Kind == kind).Sum(o => o.Op.Flops);
}
