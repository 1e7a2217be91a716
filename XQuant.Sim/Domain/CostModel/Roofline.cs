using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Domain.CostModel;

/// <summary>Times a ledger on a profile. Pure: no I/O, no state.</summary>
public static class Roofline
{
    public static OpTiming Time(OpCost op, HardwareProfile hw)
    {
        var (compute, memory, launch) = Times(op, hw);
        return new OpTiming(op, compute, memory, launch);
    }

    private static (double Compute, double Memory, double Launch) Times(OpCost op, HardwareProfile hw)
    {
        // A calibrated profile may carry an achieved rate for this op's implementation variant or its kernel class
        // (measured on microbenchmarks); a datasheet profile has neither and uses the dtype peak.
        double peak = (op.Variant is null ? null : hw.AchievedFlops(RateKey(op))) ?? hw.AchievedFlops(KernelClasses.Name(op.Kind)) ?? hw.Peak(op.DType) ?? throw new InvalidOperationException($"{hw.Id} has no {op.DType.Name()} peak");
        double compute = op.Flops / peak;
        double onChipBw = hw.OnChip?.BandwidthBytesPerSec ?? double.PositiveInfinity;
        double memory = op.DramBytes / hw.DramBandwidthBytesPerSec + op.OnChipBytes / onChipBw;
        double launch = (hw.KernelLaunchLatencySec ?? 0) * op.LaunchCount;
        return (compute, memory, launch);
    }

    /// <summary>The calibrated-rate key of an op: its class name, or "class.variant" for an implementation variant.</summary>
    public static string RateKey(OpCost op)
    {
        ArgumentNullException.ThrowIfNull(op);
        return KernelClasses.RateKey(op.Kind, op.Variant);
    }

    /// <summary>
    /// <see cref="StepCost.OverlappedSec"/> of <see cref="Step"/>, the same sums in the same order, without a timing
    /// object per op: a swept case asks it for the largest batch that fits (~1.4 KB of its 13 KB otherwise).
    /// </summary>
    public static double OverlappedSec(Workload w)
    {
        ArgumentNullException.ThrowIfNull(w);
        var builder = new LedgerBuilder(w);
        Ledger.Fill(builder);
        double compute = 0, memory = 0, launch = 0, link = 0;
        foreach (var op in builder.Ops)
        {
            var t = Times(op, w.Hardware);
            compute += t.Compute;
            memory += t.Memory;
            launch += t.Launch;
            link += op.LinkSec;
        }
        return StepCost.Overlapped(compute, memory, launch, link);
    }

    /// <summary>Builds and times the whole ledger of a workload.</summary>
    public static StepCost Step(Workload w)
    {
        var builder = new LedgerBuilder(w);
        Ledger.Fill(builder);
        var built = builder.Ops;
        var ops = new List<OpTiming>(built.Count);
        bool onChip = false;
        foreach (var op in built)
        {
            ops.Add(Time(op, w.Hardware));
            onChip |= op.OnChipBytes > 0;
        }
        var notes = new List<string>(builder.Notes);
        if (w.Hardware.OnChip is { BandwidthBytesPerSec: null } && onChip)
        {
            notes.Add($"{w.Hardware.Id}: on-chip bandwidth not published; traffic that fits on chip ({w.Hardware.OnChip.Kind}) is not charged");
        }
        return new StepCost(ops, w.Hardware.Provenance, notes);
    }
}
