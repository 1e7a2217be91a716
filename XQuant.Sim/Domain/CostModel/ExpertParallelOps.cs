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
        var routing = b.Workload.Routing ?? MoeRouting.Uniform;
        double touched = routing.ExpectedDistinctExperts(moe, tokens) / ep;
        MoeOps.AddExpertOps(b, moe, tokens / ep, tokens * moe.ExpertsPerToken / ep, touched, moeLayers);
        b.Note(FormattableString.Invariant($"EP {ep}: {moe.Experts / ep} whole experts per rank; {routing.Spec} routing, {touched:0.##} of them touched per layer by {tokens:0.##} tokens; routing imbalance not modelled"));
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
