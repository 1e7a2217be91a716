using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Parallelism;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Domain.CostModel;

/// <summary>
/// The ledger entries of class <c>communication</c> (none on one device). Tensor parallelism: two all-reduces of the
/// BF16 activations per layer (after the attention output projection and after the FFN down projection, Megatron),
/// one after the vocabulary-split embedding, and an all-gather of the FP32 logits of the vocabulary-split LM head. tp=tokens decode adds, per layer, an
/// all-gather of the queries (every rank attends every head) and a reduce-scatter of the partial outputs with their
/// softmax max and sum (FP32), the log-sum-exp combine. Pipeline parallelism: PP - 1 sends of the activations
/// between stages. Each op's time is its collective's alpha-beta cost on the plan's link.
/// </summary>
public static class CommunicationOps
{
    public static void Add(LedgerBuilder b, double tokens)
    {
        ArgumentNullException.ThrowIfNull(b);
        var plan = b.Workload.Plan;
        if (plan.IsSingle)
        {
            return;
        }
        var link = plan.Link ?? throw new InvalidOperationException("a multi-device plan needs a link");
        var full = b.Workload.Model;
        int tp = plan.TensorParallel;
        double layers = full.Layers;
        double activationBytes = tokens * full.HiddenSize * LedgerBuilder.ActivationBytesPerElement;
        if (tp > 1)
        {
            double allReduce = Collectives.AllReduceSec(link, tp, activationBytes);
            // The vocabulary-split embedding sums its partial lookups once per step (Megatron's VocabParallelEmbedding).
            b.Add(Comm(b, "tp_embed_allreduce", allReduce), 1);
            b.Add(Comm(b, "tp_allreduce_attn", allReduce), layers);
            if (plan.ExpertParallel > 1 && full.Moe is { } moe)
            {
                ExpertParallelOps.AddCommunication(b, moe, tokens, allReduce);
            }
            else
            {
                b.Add(Comm(b, "tp_allreduce_ffn", allReduce), layers);
            }
            b.Add(Comm(b, "tp_logits_gather", Collectives.AllGatherSec(link, tp, b.NewTokens * full.VocabSize * 4.0)), 1);
            if (b.Workload.Scheme.TensorParallel == TpLayout.Tokens && b.Workload.Phase == Phase.Decode)
            {
                double q = b.NewTokens * full.QDim * LedgerBuilder.ActivationBytesPerElement;
                double partial = b.NewTokens * full.Heads * (full.HeadDim + 2.0) * 4.0;
                b.Add(Comm(b, "tp_q_gather", Collectives.AllGatherSec(link, tp, q)), layers);
                // Rescale each rank's partial output by exp(m_r - m) and divide by the summed exponentials: ~3 FLOPs per element.
                b.Add(b.Op("lse_combine", OpKind.Elementwise, 3.0 * b.NewTokens * full.Heads * (full.HeadDim + 2.0)), layers);
                b.Add(Comm(b, "tp_lse_combine", Collectives.ReduceScatterSec(link, tp, partial)), layers);
            }
        }
        if (plan.PipelineParallel > 1)
        {
            b.Add(Comm(b, "pp_send", Collectives.PointToPointSec(link, activationBytes)), plan.PipelineParallel - 1);
        }
    }

    internal static OpDraft Comm(LedgerBuilder b, string name, double sec) =>
        b.Op(name, OpKind.Communication, 0).OnLink(sec);
}
