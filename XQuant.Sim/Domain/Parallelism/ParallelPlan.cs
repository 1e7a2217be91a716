namespace XQuant.Sim.Domain.Parallelism;

/// <summary>
/// How one model replica is spread over devices: <see cref="TensorParallel"/> ranks split every layer
/// (Megatron-style), <see cref="PipelineParallel"/> stages split the layers. <see cref="MicroBatches"/> is the number
/// of micro-batches a pipelined step is cut into (0: as many as stages). TP = PP = 1 is a single device.
/// <see cref="ExpertParallel"/> &gt; 1 (equal to TP) splits a MoE layer's routed experts over the TP ranks, whole
/// experts per rank, with an all-to-all dispatch and combine per MoE layer, instead of slicing every expert's width.
/// </summary>
public sealed record ParallelPlan(int TensorParallel, int PipelineParallel, Link? Link, int MicroBatches = 0, int ExpertParallel = 1)
{
    public static readonly ParallelPlan Single = new(1, 1, null);

    public bool IsSingle => TensorParallel == 1 && PipelineParallel == 1;

    public int Devices => TensorParallel * PipelineParallel;

    /// <summary>Micro-batches per pipelined step: the stated count, or one per stage.</summary>
    public int MicroBatchCount => MicroBatches > 0 ? MicroBatches : PipelineParallel;

    public string Describe() => IsSingle
        ? "single device"
        : FormattableString.Invariant($"TP {TensorParallel}{(ExpertParallel > 1 ? $" (EP {ExpertParallel})" : "")} x PP {PipelineParallel} = {Devices} devices over {Link?.Describe() ?? "no link"}");
}
