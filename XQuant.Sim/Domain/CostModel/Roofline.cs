using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Domain.CostModel;

/// <summary>Times a ledger on a profile. Pure: no I/O, no state.</summary>
public static class Roofline
{
    public static OpTiming Time(OpCost op, HardwareProfile hw)
    {
        // A calibrated profile may carry an achieved rate for this op's implementation variant or its kernel class
        // (measured on microbenchmarks); a datasheet profile has neither and uses the dtype peak.
        double peak = (op.Variant is null ? null : hw.AchievedFlops(RateKey(op))) ?? hw.AchievedFlops(KindName(op.Kind)) ?? hw.Peak(op.DType) ?? throw new InvalidOperationException($"{hw.Id} has no {op.DType.Name()} peak");
        double compute = op.Flops / peak;
        double onChipBw = hw.OnChip?.BandwidthBytesPerSec ?? double.PositiveInfinity;
        double memory = op.DramBytes / hw.DramBandwidthBytesPerSec + op.OnChipBytes / onChipBw;
        double launch = (hw.KernelLaunchLatencySec ?? 0) * op.Kernels;
        return new OpTiming(op, compute, memory, launch);
    }

    /// <summary>The lower-case kernel-class name used in calibrated profiles ("gemm", "attention", ...).</summary>
    public static string KindName(OpKind k) => k switch
    {
        OpKind.Gemm => "gemm",
        OpKind.Elementwise => "elementwise",
        OpKind.Attention => "attention",
        OpKind.Quantize => "quantize",
        OpKind.Dequantize => "dequantize",
        OpKind.Remat => "remat",
        _ => throw new ArgumentOutOfRangeException(nameof(k)),
    };

    public static readonly IReadOnlyList<string> KindNames = Enum.GetValues<OpKind>().Select(KindName).ToList();

    /// <summary>The calibrated-rate key of an op: its class name, or "class.variant" for an implementation variant.</summary>
    public static string RateKey(OpCost op)
    {
        ArgumentNullException.ThrowIfNull(op);
        return op.Variant is null ? KindName(op.Kind) : $"{KindName(op.Kind)}.{op.Variant}";
    }

    /// <summary>Implementation variants a calibration may rate separately from their class.</summary>
    public static readonly IReadOnlyList<string> VariantRateKeys = ["quantize.per_channel", "dequantize.fused", "attention.fp16_kv", "attention.gqa", "attention.fp16_kv_gqa"];

    /// <summary>Every key allowed in a profile's achieved_flops_per_sec_by_kind.</summary>
    public static readonly IReadOnlyList<string> RateKeys = [.. KindNames, .. VariantRateKeys];

    /// <summary>Builds and times the whole ledger of a workload.</summary>
    public static StepCost Step(Workload w)
    {
        var builder = new LedgerBuilder(w);
        Ledger.Fill(builder);
        var ops = builder.Build().Select(o => Time(o, w.Hardware)).ToList();
        var notes = builder.Notes.ToList();
        if (w.Hardware.OnChip is { BandwidthBytesPerSec: null } && ops.Any(o => o.Op.OnChipBytes > 0))
        {
            notes.Add($"{w.Hardware.Id}: on-chip bandwidth not published; traffic that fits on chip ({w.Hardware.OnChip.Kind}) is not charged");
        }
        return new StepCost(ops, w.Hardware.Provenance, notes);
    }
}
