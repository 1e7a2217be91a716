namespace XQuant.Sim.Domain.Models;

/// <summary>
/// A mixture-of-experts FFN as Hugging Face configs publish it: <see cref="Experts"/> routed SwiGLU experts of width
/// <see cref="ExpertIntermediateSize"/>, each token sent to <see cref="ExpertsPerToken"/> of them by a d x E router,
/// plus <see cref="SharedExperts"/> always-on experts of the same width (DeepSeek). The first
/// <see cref="FirstDenseLayers"/> layers keep the dense FFN of the model's intermediate_size (DeepSeek's
/// first_k_dense_replace); every other layer is MoE.
/// </summary>
public sealed record MoeConfig(int Experts, int ExpertsPerToken, int ExpertIntermediateSize, int SharedExperts, int FirstDenseLayers)
{
    /// <summary>Weights of one expert (elements): gate, up and down projections.</summary>
    public double ExpertParams(ModelConfig m) => 3.0 * m.HiddenSize * ExpertIntermediateSize + (m.Extras?.ExpertBiasParams(m, ExpertIntermediateSize) ?? 0);

    /// <summary>Router weights of one MoE layer: d x E.</summary>
    public double RouterParams(ModelConfig m) => (double)m.HiddenSize * Experts + (m.Extras?.ExpertBiases == true ? Experts : 0);

    /// <summary>Layers whose FFN is routed.</summary>
    public int MoeLayers(ModelConfig m) => m.Layers - Math.Min(FirstDenseLayers, m.Layers);

    /// <summary>Weights of one MoE layer: the dense layer's attention and norms, every expert, the shared experts, the router.</summary>
    public double MoeLayerParams(ModelConfig m) =>
        m.LayerParams - 3.0 * m.HiddenSize * m.IntermediateSize
        + (Experts + SharedExperts) * ExpertParams(m) + RouterParams(m);

    /// <summary>All decoder layers' weights: capacity holds every expert.</summary>
    public double DecoderParams(ModelConfig m) =>
        (m.Layers - MoeLayers(m)) * m.LayerParams + MoeLayers(m) * MoeLayerParams(m);

    /// <summary>
    /// Expected number of distinct routed experts that <paramref name="tokens"/> tokens touch in one layer when each
    /// token picks k of E experts uniformly: E (1 - (1 - k/E)^tokens). Uniform routing is an assumption (trained
    /// routers are skewed, which touches fewer experts); it is exact for tokens = 1 (k experts).
    /// </summary>
    public double ExpectedDistinctExperts(double tokens) =>
        tokens <= 0 ? 0 : Experts * (1 - Math.Pow(1 - (double)ExpertsPerToken / Experts, tokens));

    /// <summary>Weights one MoE layer streams in a step of <paramref name="tokens"/> tokens: everything but the untouched experts.</summary>
    public double StreamedMoeLayerParams(ModelConfig m, double tokens) =>
        MoeLayerParams(m) - (Experts - ExpectedDistinctExperts(tokens)) * ExpertParams(m);

    /// <summary>
    /// Weights one layer streams per step, averaged over the layers: <see cref="ModelConfig.LayerParams"/> for a dense
    /// model, attention + shared + the expected touched experts for a MoE model.
    /// </summary>
    public static double StreamedLayerParams(ModelConfig m, double tokens) =>
        m.Moe is not { } moe
            ? m.LayerParams
            : ((m.Layers - moe.MoeLayers(m)) * m.LayerParams + moe.MoeLayers(m) * moe.StreamedMoeLayerParams(m, tokens)) / m.Layers;
}
