using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;

namespace XQuant.Sim.Domain.Schemes;

/// <summary>How rematerialized K/V reach attention.</summary>
public enum RematMode
{
    /// <summary>Nothing is rematerialized (FP16 KV, KIVI*).</summary>
    None,

    /// <summary>K and V tiles are produced and consumed on chip; they never go to DRAM.</summary>
    Fused,

    /// <summary>K and V are written to DRAM by the remat GEMM and read back by attention.</summary>
    Unfused,

    /// <summary>Only K is rematerialized; the output uses (p X^) Wv, valid because V carries no RoPE.</summary>
    VAbsorbed,
}

/// <summary>
/// A cache scheme: what is stored per token (memory accounting) and the parameters the cost model needs.
/// Each scheme is one record in its own file, parsed by its own factory in <see cref="SchemeRegistry"/>.
/// </summary>
public abstract record CacheScheme
{
    /// <summary>The family name used on the command line (fp16, kivi, xquant, ...).</summary>
    public abstract string Family { get; }

    /// <summary>Canonical compact form, e.g. "xquant-cl:2,base=3@4"; parses back to an equal scheme.</summary>
    public abstract string Spec { get; }

    /// <summary>What each layer stores per token for this model.</summary>
    public abstract CacheLayout Layout(ModelConfig model);

    /// <summary>Problems that make the scheme impossible for this model (e.g. a group larger than the tensor).</summary>
    public virtual IReadOnlyList<string> Validate(ModelConfig model) => [];

    /// <summary>Facts a user must see next to the numbers (e.g. stores more than KV quantization would).</summary>
    public virtual IReadOnlyList<string> Warnings(ModelConfig model) => [];

    public virtual RematMode Remat => RematMode.None;

    /// <summary>Dtype the rematerialization GEMM computes in.</summary>
    public virtual DType RematDType => DType.Bf16;

    /// <summary>How the cache is laid out over tensor-parallel ranks (see <see cref="TpLayout"/>).</summary>
    public virtual TpLayout TensorParallel => TpLayout.Heads;

    public override string ToString() => Spec;
}
