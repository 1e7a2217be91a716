
namespace XQuant.Sim.Domain.Hardware;

/// <summary>
/// The kernel class of an op. It lives with the profiles because a calibrated profile keys its achieved rates by
/// class (and "class.variant"); the cost model tags every ledger op with one, and validation scores per class.
/// </summary>
public enum OpKind
{
    Gemm,
    Elementwise,
    Attention,
    Quantize,
    Dequantize,
    Remat,

    /// <summary>A collective or send between devices (TP all-reduce, PP send): timed by the link, not the roofline.</summary>
    Communication,
}

/// <summary>The names of kernel classes and implementation variants as calibrated profiles spell them.</summary>
public static class KernelClasses
{
    /// <summary>The lower-case kernel-class name used in calibrated profiles ("gemm", "attention", ...).</summary>
    public static string Name(OpKind k) => k switch
    {
        OpKind.Gemm => "gemm",
        OpKind.Elementwise => "elementwise",
        OpKind.Attention => "attention",
        OpKind.Quantize => "quantize",
        OpKind.Dequantize => "dequantize",
        OpKind.Remat => "remat",
        OpKind.Communication => "communication",
        _ => throw new ArgumentOutOfRangeException(nameof(k)),
    };

    public static readonly IReadOnlyList<string> Names = Enum.GetValues<OpKind>().Select(Name).ToList();

    /// <summary>Implementation variants a calibration may rate separately from their class.</summary>
    public static readonly IReadOnlyList<string> VariantRateKeys = ["quantize.per_channel", "dequantize.fused", "attention.fp16_kv", "attention.gqa", "attention.fp16_kv_gqa"];

    /// <summary>Every key allowed in a profile's achieved_flops_per_sec_by_kind.</summary>
    public static readonly IReadOnlyList<string> RateKeys = [.. Names.Where(n => n != "communication"), .. VariantRateKeys];

    /// <summary>The calibrated-rate key of an op of this class: the class name, or "class.variant".</summary>
    public static string RateKey(OpKind k, string? variant) => variant is null ? Name(k) : $"{Name(k)}.{variant}";
}
