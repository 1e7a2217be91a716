using XQuant.Sim.Hardware;

namespace XQuant.Sim.CostModel;

/// <summary>
/// A whole step (one decode step or one prefill) as a ledger of timed ops, with the two step-time forms:
/// <list type="bullet">
/// <item><see cref="SerialSec"/>: the sum of per-op roofline times (no overlap across ops; each op waits for the
/// previous).</item>
/// <item><see cref="OverlappedSec"/>: max(sum of compute times, sum of memory times), i.e. perfect overlap of
/// compute and memory across the whole step, the optimistic bound.</item>
/// </list>
/// </summary>
public sealed record StepCost(IReadOnlyList<OpTiming> Ops, Provenance Provenance, IReadOnlyList<string> Notes)
{
    public double Flops => Ops.Sum(o => o.Op.Flops);
    public double DramBytes => Ops.Sum(o => o.Op.DramBytes);
    public double OnChipBytes => Ops.Sum(o => o.Op.OnChipBytes);
    public double ComputeSec => Ops.Sum(o => o.ComputeSec);
    public double MemorySec => Ops.Sum(o => o.MemorySec);
    public double LaunchSec => Ops.Sum(o => o.LaunchSec);
    public double SerialSec => Ops.Sum(o => o.TimeSec);
    public double OverlappedSec => Math.Max(ComputeSec, MemorySec) + LaunchSec;
    public Bound Bound => ComputeSec > MemorySec ? Bound.Compute : Bound.Memory;
    public double ArithmeticIntensity => DramBytes > 0 ? Flops / DramBytes : double.PositiveInfinity;

    public double Bytes(TensorClass c) => Ops.Sum(o => o.Op.Bytes(c));

    /// <summary>FLOPs of the ops of one kind (e.g. all rematerialization).</summary>
    public double FlopsOf(OpKind kind) => Ops.Where(o => o.Op.Kind == kind).Sum(o => o.Op.Flops);

    public OpTiming? Find(string name) => Ops.FirstOrDefault(o => o.Op.Name == name);
}
