using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Parallelism;

namespace XQuant.Sim.Domain.CostModel;

/// <summary>
/// A MoE layer under expert parallelism over the TP ranks (EP = TP): after the attention all-reduce every rank holds
/// all tokens' hidden states and takes its 1 / EP share of them (a slice, no traffic); it routes its share over all E
/// experts, runs the shared experts (whole, replicated) on it, sends each token's activation to the ranks owning its
/// k experts (all-to-all dispatch), runs its E / EP whole experts on what it receives, sends the outputs back
/// (all-to-all combine), sums each token's k outputs, and all-gathers the shares so every rank holds every token's
/// hidden state again (in place of the dense FFN's all-reduce). Uniform routing: each rank receives tokens x k / EP
/// expert inputs and touches E / EP of the distinct experts the step's tokens pick; routing imbalance (the slowest
/// rank sets the step) is left out, an optimistic assumption for EP at small batch.
/// </summary>
public static class ExpertParallelOps
{
    public static void AddLayerOps(LedgerBuilder b, MoeConfig moe, double tokens, double moeLayers)
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(moe);
        int ep = b.Workload.Plan.ExpertParallel;
        double d = b.Model.HiddenSize;
        double f = moe.ExpertIntermediateSize;
        double act = LedgerBuilder.ActivationBytesPerElement;
        double share = tokens / ep;
        b.Add(b.Gemm("moe_router", share, d, moe.Experts), moeLayers);
        b.Add(b.Elementwise("moe_topk", share * moe.Experts, 5, share * moe.Experts, share * moe.ExpertsPerToken), moeLayers);
        if (moe.SharedExperts > 0)
        {
            double sf = moe.SharedExperts * f;
            b.Add(b.Gemm("shared_gate_up", share, d, 2.0 * sf), moeLayers);
            b.Add(b.Elementwise("shared_act", share * sf, 5, 2 * share * sf, share * sf), moeLayers);
            b.Add(b.Gemm("shared_down", share, sf, d), moeLayers);
        }
        double routed = tokens * moe.ExpertsPerToken / ep;
        double touched = (b.Workload.Routing ?? MoeRouting.Uniform).ExpectedDistinctExperts(moe, tokens) / ep;
        b.Add(b.Op("expert_gate_up", OpKind.Gemm, 2 * routed * d * 2 * f)
            .AddBytes(TensorClass.Weights, touched * d * 2 * f * b.BytesPerWeight)
            .AddBytes(TensorClass.ActivationsRead, routed * d * act)
            .AddBytes(TensorClass.ActivationsWritten, routed * 2 * f * act), moeLayers);
        b.Add(b.Elementwise("expert_act", routed * f, 5, 2 * routed * f, routed * f), moeLayers);
        b.Add(b.Op("expert_down", OpKind.Gemm, 2 * routed * f * d)
            .AddBytes(TensorClass.Weights, touched * f * d * b.BytesPerWeight)
            .AddBytes(TensorClass.ActivationsRead, routed * f * act)
            .AddBytes(TensorClass.ActivationsWritten, routed * d * act), moeLayers);
        b.Add(b.Elementwise("moe_combine", share * moe.ExpertsPerToken * d, 2, share * moe.ExpertsPerToken * d, share * d), moeLayers);
        b.Note(FormattableString.Invariant($"EP {ep}: {moe.Experts / ep} whole experts per rank; uniform routing, {touched:0.##} of them touched per layer by {tokens:0.##} tokens; routing imbalance not modelled"));
    }

    /// <summary>
    /// The MoE layers' communication: dispatch and combine all-to-alls of each rank's share, tokens / EP x k x d BF16
    /// activations, and the all-gather of the hidden states; the dense layers (DeepSeek's first ones) keep the FFN
    /// all-reduce (<paramref name="allReduceSec"/>).
    /// </summary>
    public static void AddCommunication(LedgerBuilder b, MoeConfig moe, double tokens, double allReduceSec)
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(moe);
        var plan = b.Workload.Plan;
        var link = plan.Link ?? throw new InvalidOperationException("a multi-device plan needs a link");
        var full = b.Workload.Model;
        int ep = plan.ExpertParallel;
        double moeLayers = moe.MoeLayers(full);
        double hidden = tokens * full.HiddenSize * LedgerBuilder.ActivationBytesPerElement;
        double perRank = tokens / ep * moe.ExpertsPerToken * full.HiddenSize * LedgerBuilder.ActivationBytesPerElement;
        double allToAll = Collectives.AllToAllSec(link, ep, perRank);
        b.Add(CommunicationOps.Comm(b, "tp_allreduce_ffn", allReduceSec), full.Layers - moeLayers);
        b.Add(CommunicationOps.Comm(b, "ep_dispatch", allToAll), moeLayers);
        b.Add(CommunicationOps.Comm(b, "ep_combine", allToAll), moeLayers);
        b.Add(CommunicationOps.Comm(b, "ep_allgather", Collectives.AllGatherSec(link, plan.TensorParallel, hidden)), moeLayers);
    }
}
