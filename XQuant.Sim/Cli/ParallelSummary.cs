using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Foundation.Text;

namespace XQuant.Sim.Cli;

/// <summary>The lines the ledger adds for a multi-device plan: the link, the communication share, the pipeline.</summary>
public static class ParallelSummary
{
    public static void Print(TextWriter o, CaseResult r)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(r);
        var plan = r.Workload.Plan;
        if (plan.IsSingle)
        {
            return;
        }
        o.WriteLine($"devices: {plan.Describe()}; the ledger is one device's (TP rank), all stages in sequence; memory is the fullest device's");
        o.WriteLine($"communication: {Formats.Seconds(r.Step.LinkSec)} on the link, {Pct(PipelineThroughput.CommunicationShare(r.Step))} of the overlapped step (alpha-beta ring collectives, not overlapped with compute)");
        if (plan.Link is { LatencyIsDefault: true } link)
        {
            o.WriteLine($"note: link latency {Formats.Seconds(link.LatencySec)} is xqsim's default, not a published figure");
        }
        if (plan.PipelineParallel > 1 && r.Workload.Phase == Phase.Decode)
        {
            var p = PipelineThroughput.Of(r.Workload);
            o.WriteLine($"pipeline: {p.MicroBatches} micro-batches of {Formats.Int(p.MicroBatchSize)}, stage {Formats.Seconds(p.StageSec)}, step {Formats.Seconds(p.StepSec)} with bubble {Pct(p.BubbleFraction)}: {Formats.Sig(p.TokensPerSec)} tokens/s; a single sequence's token latency is the step time above (all stages in turn)");
        }
    }

    private static string Pct(double share) => Formats.Fixed(100 * share, 1) + "%";
}
