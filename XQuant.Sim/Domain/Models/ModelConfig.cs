namespace XQuant.Sim.Domain.Models;

/// <summary>
/// The shape of a Llama-style decoder (pre-norm, RoPE, GQA or MHA attention, SwiGLU FFN), read from a Hugging
/// Face config.json. Sizes are in elements; <see cref="KvDim"/> = KvHeads x HeadDim is d_kv in the paper.
/// </summary>
public sealed record ModelConfig
{
    public required string Id { get; init; }
    public required int HiddenSize { get; init; }
    public required int Layers { get; init; }
    public required int Heads { get; init; }
    public required int KvHeads { get; init; }
    public required int HeadDim { get; init; }
    public required int IntermediateSize { get; init; }
    public required int VocabSize { get; init; }
    public int MaxPositionEmbeddings { get; init; }
    public bool TieWordEmbeddings { get; init; }
    public bool AttentionBias { get; init; }
    public string TorchDtype { get; init; } = "bfloat16";
    public string SourcePath { get; init; } = "";

    /// <summary>The routed FFN when the model is a mixture of experts; null for a dense model.</summary>
    public MoeConfig? Moe { get; init; }

    /// <summary>Local (sliding-window) attention layers; null when every layer is global.</summary>
    public AttentionWindow? Window { get; init; }

    /// <summary>Multi-head latent attention (DeepSeek-V2/V3); null for MHA/GQA/MQA.</summary>
    public MlaConfig? Mla { get; init; }

    /// <summary>Gemma-2 / gpt-oss / DeepSeek-V3 additions to the Llama shape; null for none.</summary>
    public ArchitectureExtras? Extras { get; init; }

    public int QDim => Heads * HeadDim;
    public int KvDim => KvHeads * HeadDim;
    public int QueryHeadsPerKvHead => Heads / KvHeads;
    public bool IsGqa => KvHeads < Heads;
    public string AttentionKind => Mla is not null ? "MLA" : KvHeads == Heads ? "MHA" : KvHeads == 1 ? "MQA" : "GQA";

    /// <summary>Weights of one decoder layer (elements): Q, K, V, O projections, three FFN matrices, two norms.</summary>
    public double LayerParams => Mla is { } mla ? mla.AttentionParams(this) + 3.0 * HiddenSize * IntermediateSize + 2.0 * HiddenSize :
        (double)HiddenSize * QDim + 2.0 * HiddenSize * KvDim + (double)QDim * HiddenSize
        + 3.0 * HiddenSize * IntermediateSize + 2.0 * HiddenSize
        + (AttentionBias ? QDim + 2.0 * KvDim : 0) + (Extras?.LayerParams(this) ?? 0);

    public double EmbeddingParams => (double)VocabSize * HiddenSize;

    public double LmHeadParams => TieWordEmbeddings ? 0 : (double)VocabSize * HiddenSize;

    public double TotalParams => (Moe is null ? Layers * LayerParams : Moe.DecoderParams(this)) + EmbeddingParams + LmHeadParams + HiddenSize;
}
