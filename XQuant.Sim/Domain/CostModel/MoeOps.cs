using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;

namespace XQuant.Sim.Domain.CostModel;

/// <summary>
/// The routed FFN of a mixture-of-experts layer: the router GEMM, the shared experts (dense, every token), and the
/// routed experts. FLOPs are those of the k active experts per token; the weight bytes are those of the expected
/// distinct experts the step's tokens touch (<see cref="MoeRouting.ExpectedDistinctExperts"/>: uniform unless
/// --moe-routing says otherwise),
/// each read once from DRAM. Dispatch and combine move each token's activations to and from its k experts.
/// </summary>
public static class MoeOps
{
    /// <summary>Of <paramref name="layers"/> decoder layers, how many keep the dense FFN (all of them for a dense model).</summary>
    public static double DenseFfnLayers(ModelConfig m, double layers) =>
        m.Moe is not { } moe ? layers : layers * (m.Layers - moe.MoeLayers(m)) / m.Layers;

    /// <summary>Adds the MoE FFN ops of the MoE share of <paramref name="layers"/>; nothing for a dense model.</summary>
    public static void AddLayerOps(LedgerBuilder b, double tokens, double layers)
    {
        var m = b.Model;
        if (m.Moe is not { } moe)
        {
            return;
        }
        double moeLayers = layers - DenseFfnLayers(m, layers);
        if (moeLayers <= 0)
        {
            return;
        }
        if (b.Workload.Plan.ExpertParallel > 1 && b.Workload.Model.Moe is { } full)
        {
            ExpertParallelOps.AddLayerOps(b, full, tokens, moeLayers);
            return;
        }
        var routing = b.Workload.Routing ?? MoeRouting.Uniform;
        double touched = routing.ExpectedDistinctExperts(moe, tokens);
        AddExpertOps(b, moe, tokens, tokens * moe.ExpertsPerToken, touched, moeLayers);
        b.Note(routing.Assumption(moe, tokens, touched));
    }

    /// <summary>
    /// Router, shared experts, routed experts and combine for <paramref name="tokens"/> tokens whose
    /// <paramref name="routed"/> expert inputs touch <paramref name="touched"/> distinct experts of width
    /// <paramref name="moe"/>.ExpertIntermediateSize (a TP rank's slice, or whole experts under EP, which passes its
    /// rank's share of each).
    /// </summary>
    internal static void AddExpertOps(LedgerBuilder b, MoeConfig moe, double tokens, double routed, double touched, double moeLayers)
    {
        double d = b.Model.HiddenSize;
        double f = moe.ExpertIntermediateSize;
        double act = LedgerBuilder.ActivationBytesPerElement;
        b.Add(b.Gemm("moe_router", tokens, d, moe.Experts), moeLayers);
        b.Add(b.Elementwise("moe_topk", tokens * moe.Experts, 5, tokens * moe.Experts, tokens * moe.ExpertsPerToken), moeLayers);
        if (moe.SharedExperts > 0)
        {
            double sf = moe.SharedExperts * f;
            b.Add(b.Gemm("shared_gate_up", tokens, d, 2.0 * sf), moeLayers);
            b.Add(b.Elementwise("shared_act", tokens * sf, 5, 2 * tokens * sf, tokens * sf), moeLayers);
            b.Add(b.Gemm("shared_down", tokens, sf, d), moeLayers);
        }
        b.Add(b.Op("expert_gate_up", OpKind.Gemm, 2 * routed * d * 2 * f)
            .AddBytes(TensorClass.Weights, touched * d * 2 * f * b.BytesPerWeight)
            .AddBytes(TensorClass.ActivationsRead, routed * d * act)
            .AddBytes(TensorClass.ActivationsWritten, routed * 2 * f * act), moeLayers);
        b.Add(b.Elementwise("expert_act", routed * f, 5, 2 * routed * f, routed * f), moeLayers);
        b.Add(b.Op("expert_down", OpKind.Gemm, 2 * routed * f * d)
            .AddBytes(TensorClass.Weights, touched * f * d * b.BytesPerWeight)
            .AddBytes(TensorClass.ActivationsRead, routed * f * act)
            .AddBytes(TensorClass.ActivationsWritten, routed * d * act), moeLayers);
        // Combine: each token's k expert outputs weighted and summed into its hidden state.
        b.Add(b.Elementwise("moe_combine", routed * d, 2, routed * d, tokens * d), moeLayers);
    }
}
