using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Domain.Planning;

/// <summary>
/// A pipelined decode step: the batch cut into M micro-batches of ceil(B / M) that flow through PP stages (GPipe
/// schedule). One stage's time is a micro-batch's step time / PP (stages hold equal layers); the step takes
/// (M + PP - 1) stage times, of which PP - 1 are the bubble.
/// </summary>
public sealed record PipelineThroughput(int MicroBatches, double MicroBatchSize, double StageSec, double StepSec, double TokensPerSec, double BubbleFraction)
{
    public static PipelineThroughput Of(Workload w)
    {
        ArgumentNullException.ThrowIfNull(w);
        int pp = w.Plan.PipelineParallel;
        int m = w.Plan.MicroBatchCount;
        double micro = Math.Ceiling(w.Batch / m);
        double stage = Roofline.Step(w with { Batch = micro }).OverlappedSec / pp;
        double step = (m + pp - 1) * stage;
        return new PipelineThroughput(m, micro, stage, step, micro * m / step, (pp - 1.0) / (m + pp - 1.0));
    }

    /// <summary>Share of a step's time spent in communication ops (on the link).</summary>
    public static double CommunicationShare(StepCost step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return step.OverlappedSec > 0 ? step.Ops.Where(o => o.Op.Kind == OpKind.Communication).Sum(o => o.LinkSec) / step.OverlappedSec : 0;
    }
}
