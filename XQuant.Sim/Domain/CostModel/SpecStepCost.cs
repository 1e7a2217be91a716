namespace XQuant.Sim.Domain.CostModel;

/// <summary>
/// One speculative decode step, costed: the target's verify step (k + 1 queries per sequence), the drafter's k steps
/// (each its own ledger, timed on its own: they run one after another), and the expected tokens the step yields.
/// Per-token time = (verify + draft) / E[tokens per step]. At k = 0 there is no draft step and E = 1: plain decode.
/// </summary>
public sealed record SpecStepCost(SpecDecoding Spec, StepCost Verify, IReadOnlyList<StepCost> DraftSteps, IReadOnlyList<string> Notes)
{
    public double ExpectedTokens => Spec.ExpectedTokensPerStep;

    public double DraftOverlappedSec => DraftSteps.Sum(s => s.OverlappedSec);

    public double DraftSerialSec => DraftSteps.Sum(s => s.SerialSec);

    /// <summary>Verify + draft, each step in the overlapped form max(compute, memory).</summary>
    public double StepOverlappedSec => Verify.OverlappedSec + DraftOverlappedSec;

    public double StepSerialSec => Verify.SerialSec + DraftSerialSec;

    public double PerTokenOverlappedSec => StepOverlappedSec / ExpectedTokens;

    public double PerTokenSerialSec => StepSerialSec / ExpectedTokens;

    /// <summary>Compute time of verify and draft together (their sum decides whether remat hides under the stream).</summary>
    public double ComputeSec => Verify.ComputeSec + DraftSteps.Sum(s => s.ComputeSec);

    public double MemorySec => Verify.MemorySec + DraftSteps.Sum(s => s.MemorySec);
}
