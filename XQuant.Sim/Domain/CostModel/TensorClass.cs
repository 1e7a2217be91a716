namespace XQuant.Sim.Domain.CostModel;

/// <summary>What a byte of traffic belongs to. Every op's bytes are split by these classes.</summary>
public enum TensorClass
{
    Weights,
    ActivationsRead,
    ActivationsWritten,
    KvCacheRead,
    KvCacheWritten,

    /// <summary>X, its cross-layer deltas, or an SVD latent: whatever an XQuant scheme caches instead of K and V.</summary>
    XCacheRead,
    XCacheWritten,

    /// <summary>Scales and zero-points of quantized caches, read and written.</summary>
    Metadata,
    AccumulatorRead,
    AccumulatorWritten,
}

public static class TensorClasses
{
    public const int Count = 10;

    public static readonly IReadOnlyList<TensorClass> All = Enum.GetValues<TensorClass>();

    public static string Name(this TensorClass c) => c switch
    {
        TensorClass.Weights => "weights",
        TensorClass.ActivationsRead => "act_read",
        TensorClass.ActivationsWritten => "act_written",
        TensorClass.KvCacheRead => "kv_read",
        TensorClass.KvCacheWritten => "kv_written",
        TensorClass.XCacheRead => "xcache_read",
        TensorClass.XCacheWritten => "xcache_written",
        TensorClass.Metadata => "metadata",
        TensorClass.AccumulatorRead => "acc_read",
        TensorClass.AccumulatorWritten => "acc_written",
        _ => throw new ArgumentOutOfRangeException(nameof(c)),
    };

    /// <summary>
    /// Transient tensors live only within a decode step (activations, unfused K/V, the CL accumulator). They may sit
    /// in on-chip SRAM when they fit; persistent tensors (weights, caches) always come from DRAM.
    /// </summary>
    public static bool IsTransient(this TensorClass c) =>
        c is TensorClass.ActivationsRead or TensorClass.ActivationsWritten or TensorClass.AccumulatorRead or TensorClass.AccumulatorWritten;
}
