using XQuant.Sim.Domain.Models;

namespace XQuant.Sim.Domain.Schemes;

/// <summary>
/// An MLA model's own cache: the latent plus the decoupled RoPE key, (kv_lora_rank + qk_rope_head_dim) elements per
/// token per layer, at FP16 (<c>mla</c>) or quantized at b bits (<c>mla:4</c>) in per-token groups of G elements with
/// an FP16 scale and zero per group (metadata counted, as for KIVI's per-token tensors).
/// </summary>
public sealed record MlaLatentScheme(int Bits, int GroupSize) : CacheScheme
{
    public static readonly IReadOnlyList<int> AllowedBits = [2, 3, 4, 8, 16];

    public override string Family => "mla";

    public override string Spec => Bits >= 16 ? "mla" : GroupSize == 64 ? $"mla:{Bits}" : $"mla:{Bits},g={GroupSize}";

    public override CacheLayout Layout(ModelConfig model)
    {
        int width = model.Mla?.LatentWidth ?? model.KvDim;
        var tensor = Bits >= 16
            ? CachedTensor.Fp16("latent", width)
            : new CachedTensor("latent", width, Bits, QuantAxis.PerToken, GroupSize, 4, 0);
        var layer = new LayerCache([tensor]);
        return new CacheLayout(Enumerable.Repeat(layer, model.Layers).ToList(), null);
    }

    public override IReadOnlyList<string> Validate(ModelConfig model) =>
        model.Mla is not { } mla ? [$"{model.Id} has no multi-head latent attention (kv_lora_rank); mla applies to MLA models only"]
        : Bits < 16 && GroupSize > mla.LatentWidth ? [$"g={GroupSize} is larger than the latent's {mla.LatentWidth} elements"]
        : [];

    internal static CacheScheme Parse(SchemeArgs a)
    {
        int bits = a.BitsText is null ? 16 : a.Bits(AllowedBits);
        int g = a.Int("g", 64, 1, 1 << 20);
        a.RejectUnknown("g");
        return new MlaLatentScheme(bits, g);
    }
}
