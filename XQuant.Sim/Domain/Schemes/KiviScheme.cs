using XQuant.Sim.Domain.Models;

namespace XQuant.Sim.Domain.Schemes;

/// <summary>
/// KIVI*-style KV quantization (the paper's baseline): asymmetric uniform min/max, keys per-channel (groups
/// along tokens), values per-token (groups along channels), G = 128, one scale and zero per group.
/// Keys per-channel need a full group of tokens, so the latest <see cref="WindowTokens"/> keys and values stay
/// in FP16 (KIVI's residual, which its implementation keeps for both K and V); window=0 reproduces the paper's
/// memory tables, which leave it out.
/// </summary>
public sealed record KiviScheme(
    int Bits,
    int GroupSize = 128,
    int WindowTokens = 128,
    QuantAxis KeyAxis = QuantAxis.PerChannel,
    QuantAxis ValueAxis = QuantAxis.PerToken,
    int MetadataBytesPerGroup = 4,
    bool PreRopeKeys = true,
    int FirstLayers = 0,
    int FirstLayerBits = 4) : CacheScheme
{
    public override string Family => "kivi";

    public override string Spec => new SpecText(Family, Bits)
        .Option("g", GroupSize, 128)
        .Option("window", WindowTokens, GroupSize)
        .Option("kaxis", KeyAxis == QuantAxis.PerChannel ? "channel" : "token", "channel")
        .Option("vaxis", ValueAxis == QuantAxis.PerToken ? "token" : "channel", "token")
        .Option("meta", MetadataBytesPerGroup == 8 ? "fp32" : "fp16", "fp16")
        .Option("keys", PreRopeKeys ? "pre" : "post", "pre")
        .Option("first", FirstLayers == 0 ? "" : $"{FirstLayers}@{FirstLayerBits}", "")
        .ToString();

    public override CacheLayout Layout(ModelConfig model)
    {
        var layers = new List<LayerCache>(model.Layers);
        for (int i = 0; i < model.Layers; i++)
        {
            int bits = i < FirstLayers ? FirstLayerBits : Bits;
            layers.Add(new LayerCache([Tensor("K", model.KvDim, bits, KeyAxis), Tensor("V", model.KvDim, bits, ValueAxis)]));
        }
        return new CacheLayout(layers, null);
    }

    private CachedTensor Tensor(string name, int width, int bits, QuantAxis axis) => bits >= 16
        ? CachedTensor.Fp16(name, width)
        : new CachedTensor(name, width, bits, axis, GroupSize, MetadataBytesPerGroup, WindowTokens);

    public override IReadOnlyList<string> Validate(ModelConfig model) =>
        (KeyAxis == QuantAxis.PerToken || ValueAxis == QuantAxis.PerToken) && GroupSize > model.KvDim
            ? [$"g={GroupSize} is larger than d_kv={model.KvDim} of {model.Id}; a per-token group must fit in one token"]
            : [];

    internal static CacheScheme Parse(SchemeArgs a)
    {
        int bits = a.Bits(SchemeArgs.QuantBits);
        int g = a.Int("g", 128, 1, 65536);
        var first = a.LayersAtBits("first", null);
        var s = new KiviScheme(
            bits,
            g,
            a.Int("window", g, 0, 1 << 20),
            a.Axis("kaxis", QuantAxis.PerChannel),
            a.Axis("vaxis", QuantAxis.PerToken),
            a.MetadataBytes(),
            a.Word("keys", "pre", ["pre", "post"]) == "pre",
            first?.Layers ?? 0,
            first?.Bits ?? 4);
        a.RejectUnknown("g", "window", "kaxis", "vaxis", "meta", "keys", "first");
        return s;
    }
}
