using XQuant.Kernels.Attention;

namespace XQuant.Kernels.Engine;

/// <summary>
/// Shape of the small Llama-style decoder the engine runs: pre-norm RMSNorm, RoPE, MHA or GQA attention, SwiGLU FFN,
/// untied LM head. All weights and activations are fp32 (the CPU computes in fp32); caches hold what their scheme
/// stores (fp16 K/V, packed codes with fp16 scales and zeros).
/// </summary>
public sealed record EngineConfig(
    int HiddenSize,
    int Layers,
    int Heads,
    int KvHeads,
    int HeadDim,
    int IntermediateSize,
    int VocabSize,
    int MaxContext,
    int Seed = 1234,
    double RopeTheta = 10000.0,
    RopeScaling? RopeScaling = null)
{
    /// <summary>d = 1024, 8 layers, 16 heads of 64 (MHA), FFN 2816, vocab 4096: about 110 M fp32 parameters (440 MB).</summary>
    public static EngineConfig Default => new(1024, 8, 16, 16, 64, 2816, 4096, 4480);

    /// <summary>A model small enough for unit tests (runs in milliseconds).</summary>
    public static EngineConfig Tiny => new(128, 4, 4, 4, 32, 256, 256, 640);

    public int QDim => Heads * HeadDim;

    public int KvDim => KvHeads * HeadDim;

    public AttentionShape Shape => new AttentionShape(Heads, KvHeads, HeadDim).Validated();

    /// <summary>Problems that make the configuration impossible (empty when it is fine).</summary>
    public IReadOnlyList<string> Problems()
    {
        var p = new List<string>();
        if (HiddenSize < 32 || HiddenSize % 32 != 0)
        {
            p.Add($"hidden size must be a positive multiple of 32 (got {HiddenSize})");
        }
        if (Layers < 1 || Heads < 1 || KvHeads < 1 || Heads % KvHeads != 0 || HeadDim < 2 || HeadDim % 2 != 0)
        {
            p.Add($"need layers >= 1, kv heads dividing heads and an even head dim (got {Layers}, {Heads}, {KvHeads}, {HeadDim})");
        }
        if (QDim % 32 != 0 || KvDim % 32 != 0 || IntermediateSize % 32 != 0 || VocabSize % 32 != 0)
        {
            p.Add("q dim, kv dim, intermediate size and vocab must be multiples of 32");
        }
        if (RopeScaling is not null)
        {
            p.AddRange(RopeScaling.Problems().Select(x => "rope_scaling: " + x));
        }
        if (MaxContext < 2)
        {
            p.Add($"max context must be at least 2 (got {MaxContext})");
        }
        return p;
    }
}
