namespace XQuant.Sim.Domain.Models;

/// <summary>
/// What a Gemma-2 or gpt-oss decoder adds to the Llama shape, each costed for what it is: elementwise work or a few
/// weights, negligible bytes beside the projections. Gemma-2: two more RMSNorms per layer (after attention and after
/// the FFN; <see cref="ExtraNormsPerLayer"/>), tanh soft-capping of the attention scores and of the final logits
/// (c tanh(s / c): 3 elementwise FLOPs per score or logit, fused into the attention and LM-head kernels, so no
/// bytes). gpt-oss: a bias on the output projection too (<see cref="OutputProjectionBias"/>), one learned sink logit
/// per head that joins every softmax (<see cref="AttentionSinks"/>: H weights, 5 FLOPs per head per query), biases on
/// every expert's gate/up and down projections and on the router (<see cref="ExpertBiases"/>). DeepSeek-V3's
/// multi-token-prediction layers (<see cref="NextTokenPredictionLayers"/>) are not counted at all: engines load them
/// only to draft tokens for speculative decoding, which this model of a plain decode step does not do.
/// </summary>
public sealed record ArchitectureExtras
{
    public int ExtraNormsPerLayer { get; init; }
    public bool OutputProjectionBias { get; init; }
    public bool AttentionSinks { get; init; }
    public bool ExpertBiases { get; init; }

    /// <summary>attn_logit_softcapping; 0: none.</summary>
    public double AttentionLogitSoftcap { get; init; }

    /// <summary>final_logit_softcapping; 0: none.</summary>
    public double FinalLogitSoftcap { get; init; }

    /// <summary>num_nextn_predict_layers (DeepSeek-V3's MTP modules): read, stated, never counted.</summary>
    public int NextTokenPredictionLayers { get; init; }

    /// <summary>Weights these add to one decoder layer (elements): extra norms (d each), the output bias (d), the sinks (H).</summary>
    public double LayerParams(ModelConfig m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return ExtraNormsPerLayer * (double)m.HiddenSize + (OutputProjectionBias ? m.HiddenSize : 0) + (AttentionSinks ? m.Heads : 0);
    }

    /// <summary>Bias elements of one expert: gate and up (2 f) and down (d).</summary>
    public double ExpertBiasParams(ModelConfig m, int expertWidth)
    {
        ArgumentNullException.ThrowIfNull(m);
        return ExpertBiases ? 2.0 * expertWidth + m.HiddenSize : 0;
    }
}
