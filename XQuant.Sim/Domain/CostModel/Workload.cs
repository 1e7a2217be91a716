using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Parallelism;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Domain.CostModel;

public enum Phase
{
    /// <summary>One new token per sequence over <see cref="Workload.ContextTokens"/> cached tokens.</summary>
    Decode,

    /// <summary>A prompt of <see cref="Workload.ContextTokens"/> tokens per sequence, cache written once.</summary>
    Prefill,
}

/// <summary>Everything one cost case depends on. Pure input: costing it does no I/O.</summary>
public sealed record Workload(
    ModelConfig Model,
    HardwareProfile Hardware,
    CacheScheme Scheme,
    WeightPrecision Weights,
    double Batch,
    double ContextTokens,
    Phase Phase = Phase.Decode,
    DType? GemmDType = null,
    double RuntimeReserveFraction = Workload.DefaultRuntimeReserveFraction,
    ParallelPlan? Parallel = null)
{
    /// <summary>The device plan: <see cref="ParallelPlan.Single"/> unless tensor or pipeline parallelism is asked for.</summary>
    public ParallelPlan Plan => Parallel ?? ParallelPlan.Single;

    /// <summary>
    /// Share of device memory kept for the runtime (CUDA context, allocator slack, fragmentation). 0.10 mirrors
    /// vLLM's default gpu_memory_utilization of 0.9; it is an assumption, stated in every report.
    /// </summary>
    public const double DefaultRuntimeReserveFraction = 0.10;

    public DType GemmDTypeOrDefault => GemmDType ?? Weights.DefaultGemmDType();
}
