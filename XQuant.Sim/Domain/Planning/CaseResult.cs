using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Memory;

namespace XQuant.Sim.Domain.Planning;

/// <summary>
/// One costed case: the step ledger, the cache memory, the capacity plan and the decode throughput at the largest
/// batch that fits (<see cref="OverlappedSecAtMaxBatch"/>: that batch's overlapped step time, null when no decode
/// batch fits or it was not asked for). Computed once; every exporter only reads it.
/// </summary>
public sealed record CaseResult(
    Workload Workload,
    StepCost Step,
    MemoryBreakdown Cache,
    double NormalizedSize,
    CapacityResult Capacity,
    double? OverlappedSecAtMaxBatch,
    IReadOnlyList<string> Notes)
{
    /// <summary>Under speculative decoding: the verify step (= <see cref="Step"/>), the draft steps and the expected tokens.</summary>
    public SpecStepCost? Speculation { get; init; }

    /// <summary>The same at the largest batch that fits (speculative decoding only).</summary>
    public SpecStepCost? SpeculationAtMaxBatch { get; init; }

    /// <summary>Time per output token of one sequence, overlapped form: the decode step, or (verify + draft) / E under speculation.</summary>
    public double PerTokenOverlappedSec => Speculation?.PerTokenOverlappedSec ?? Step.OverlappedSec;

    public double PerTokenSerialSec => Speculation?.PerTokenSerialSec ?? Step.SerialSec;

    /// <summary>Tokens per second over the batch, from the overlapped step time (decode only); per-token time under speculation.</summary>
    public double TokensPerSecOverlapped => Workload.Batch / (Speculation?.PerTokenOverlappedSec ?? Step.OverlappedSec);

    public double TokensPerSecSerial => Workload.Batch / (Speculation?.PerTokenSerialSec ?? Step.SerialSec);

    /// <summary>Decode tokens/s at the largest batch that fits at this context (overlapped form), or 0 if none fits.</summary>
    public double TokensPerSecAtMaxBatch => OverlappedSecAtMaxBatch is not double atMax ? 0 : Capacity.MaxBatchAtContext / (SpeculationAtMaxBatch?.PerTokenOverlappedSec ?? atMax);
}
