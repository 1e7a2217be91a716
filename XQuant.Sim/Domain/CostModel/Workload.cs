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

    /// <summary>Speculative decoding or MTP: a decode step verifies k + 1 tokens per sequence; null = plain decode.</summary>
    public SpecDecoding? Speculation { get; init; }

    /// <summary>Queries per sequence of a decode step: k + 1 under speculation, else 1 (prefill: 1, unused).</summary>
    public int QueriesPerSequence => Phase == Phase.Decode && Speculation is { } s ? s.QueriesPerSequence : 1;

    /// <summary>How a MoE step's tokens spread over the experts (the weights it streams); null = uniform routing.</summary>
    public MoeRouting? Routing { get; init; }

    public DType GemmDTypeOrDefault => GemmDType ?? Weights.DefaultGemmDType();
}
