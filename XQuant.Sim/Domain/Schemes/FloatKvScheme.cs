using XQuant.Sim.Domain.Models;

namespace XQuant.Sim.Domain.Schemes;

/// <summary>
/// K and V in a floating-point format serving engines ship as their KV-quantization baseline:
/// <list type="bullet">
/// <item><c>fp8</c>: E4M3, one byte per element; the scale is static, one FP32 per tensor per layer
/// (<c>scale=tensor</c>) or per KV head per layer (<c>scale=head</c>), so nothing is stored per token.</item>
/// <item><c>nvfp4</c>: E2M1, half a byte per element, plus an FP8 (E4M3) scale per 16 elements of a token's row,
/// stored per token, and one FP32 scale per tensor per layer: 4.5 bits per element per token.</item>
/// </list>
/// The per-layer scales are constant bytes (<see cref="ConstantMetadataBytes"/>), not per-token ones, so they are
/// named in <see cref="Warnings"/> and left out of per-token sizes and capacity.
/// </summary>
public sealed record FloatKvScheme(string Format, bool PerHeadScale) : CacheScheme
{
    /// <summary>NVFP4's micro-block: 16 elements share one FP8 scale.</summary>
    public const int Nvfp4BlockElements = 16;

    public override string Family => Format;

    public override string Spec => PerHeadScale ? $"{Format},scale=head" : Format;

    private bool IsNvfp4 => Format == "nvfp4";

    public override CacheLayout Layout(ModelConfig model)
    {
        CachedTensor Tensor(string name) => IsNvfp4
            ? new CachedTensor(name, model.KvDim, 4, QuantAxis.PerToken, Nvfp4BlockElements, 1, 0)
            : new CachedTensor(name, model.KvDim, 8, QuantAxis.PerToken, model.KvDim, 0, 0);
        var layer = new LayerCache([Tensor("K"), Tensor("V")]);
        return new CacheLayout(Enumerable.Repeat(layer, model.Layers).ToList(), null);
    }

    /// <summary>FP32 scales that do not grow with the context: K and V, every layer, per tensor or per KV head.</summary>
    public double ConstantMetadataBytes(ModelConfig model) => 2.0 * model.Layers * (PerHeadScale ? model.KvHeads : 1) * 4.0;

    public override IReadOnlyList<string> Validate(ModelConfig model) =>
        IsNvfp4 && model.KvDim % Nvfp4BlockElements != 0
            ? [$"nvfp4 needs d_kv a multiple of {Nvfp4BlockElements}; {model.Id} has {model.KvDim}"]
            : [];

    public override IReadOnlyList<string> Warnings(ModelConfig model) =>
        [$"{Spec}: {ConstantMetadataBytes(model)} B of static FP32 scales for the whole model are not counted per token"];

    internal static CacheScheme ParseFp8(SchemeArgs a)
    {
        a.NoBits();
        bool perHead = a.Word("scale", "tensor", ["tensor", "head"]) == "head";
        a.RejectUnknown("scale");
        return new FloatKvScheme("fp8", perHead);
    }

    internal static CacheScheme ParseNvfp4(SchemeArgs a)
    {
        a.NoBits();
        a.RejectUnknown();
        return new FloatKvScheme("nvfp4", false);
    }
}
