namespace XQuant.Sim.Domain.CostModel;

public enum Bound
{
    Memory,
    Compute,
}

/// <summary>
/// Roofline time of one ledger entry: max(FLOPs / peak(dtype), DRAM bytes / DRAM bandwidth + on-chip bytes /
/// on-chip bandwidth) plus kernels x the fixed launch latency, when the profile has one. A communication op adds its
/// link time (a collective on the critical path of tensor-parallel decode, not overlapped).
/// </summary>
public sealed record OpTiming(OpCost Op, double ComputeSec, double MemorySec, double LaunchSec)
{
    public double LinkSec => Op.LinkSec;

    public double TimeSec => Math.Max(ComputeSec, MemorySec) + LaunchSec + LinkSec;

    public Bound Bound => ComputeSec > MemorySec ? Bound.Compute : Bound.Memory;

    /// <summary>FLOPs per DRAM byte; infinite for ops that touch no DRAM.</summary>
    public double ArithmeticIntensity => Op.DramBytes > 0 ? Op.Flops / Op.DramBytes : double.PositiveInfinity;
}
