using System.Globalization;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;

namespace XQuant.Sim.Domain.Schemes;

/// <summary>
/// XQuant: cache Q(X), the post-norm layer input (d wide), per-token groups of G; rematerialize K = X^ Wk and
/// V = X^ Wv every decode step. On MHA this halves the elements of a KV cache; on GQA X is wider than K+V
/// (d vs 2 d_kv), which is computed honestly and flagged.
/// </summary>
public sealed record XQuantScheme(
    int Bits,
    int GroupSize = 128,
    QuantAxis Axis = QuantAxis.PerToken,
    int MetadataBytesPerGroup = 4,
    int FirstLayers = 0,
    int FirstLayerBits = 4,
    RematMode Mode = RematMode.Fused,
    DType ComputeDType = DType.Bf16,
    TpLayout Tp = TpLayout.Heads) : CacheScheme
{
    public override string Family => "xquant";

    public override RematMode Remat => Mode;

    public override DType RematDType => ComputeDType;

    public override TpLayout TensorParallel => Tp;

    public override string Spec => new SpecText(Family, Bits)
        .Option("g", GroupSize, 128)
        .Option("axis", Axis == QuantAxis.PerToken ? "token" : "channel", "token")
        .Option("meta", MetadataBytesPerGroup == 8 ? "fp32" : "fp16", "fp16")
        .Option("first", FirstLayers == 0 ? "" : $"{FirstLayers}@{FirstLayerBits}", "")
        .Option("remat", SchemeArgs.RematName(Mode), "fused")
        .Option("rdtype", ComputeDType.Name(), "bf16")
        .Option("tp", Tp == TpLayout.Tokens ? "tokens" : "heads", "heads")
        .ToString();

    public override CacheLayout Layout(ModelConfig model)
    {
        var layers = new List<LayerCache>(model.Layers);
        for (int i = 0; i < model.Layers; i++)
        {
            layers.Add(new LayerCache([XTensor("X", model.HiddenSize, i < FirstLayers ? FirstLayerBits : Bits, Axis, GroupSize, MetadataBytesPerGroup)]));
        }
        return new CacheLayout(layers, null);
    }

    internal static CachedTensor XTensor(string name, int width, int bits, QuantAxis axis, int g, int meta) => bits >= 16
        ? CachedTensor.Fp16(name, width)
        : new CachedTensor(name, width, bits, axis, g, meta, axis == QuantAxis.PerChannel ? g : 0);

    public override IReadOnlyList<string> Validate(ModelConfig model) =>
        Axis == QuantAxis.PerToken && GroupSize > model.HiddenSize
            ? [$"g={GroupSize} is larger than d={model.HiddenSize} of {model.Id}; a per-token group must fit in one token"]
            : model.Mla is not null ? MlaProblems(model) : [];

    /// <summary>On MLA the latent is recomputed and attended in the absorbed form: V is never formed, and the X of a token is not split by head.</summary>
    private List<string> MlaProblems(ModelConfig model)
    {
        var problems = new List<string>();
        if (Mode == RematMode.VAbsorbed)
        {
            problems.Add($"remat=vabsorb does not apply to {model.Id} (MLA): its decode is already absorbed and never forms V; use remat=fused or remat=unfused");
        }
        if (Tp == TpLayout.Tokens)
        {
            problems.Add($"tp=tokens is not modelled on {model.Id} (MLA): every rank holds the whole latent; use tp=heads");
        }
        return problems;
    }

    public override IReadOnlyList<string> Warnings(ModelConfig model) => model.Mla is { } mla
        ? [string.Create(CultureInfo.InvariantCulture, $"{model.Id} is MLA: X is d={model.HiddenSize} wide but the cached latent + RoPE key only {mla.LatentWidth}, so xquant stores {(double)model.HiddenSize / mla.LatentWidth:0.##}x the elements of mla:BITS at equal bits and recomputes the latent every step (2 x d x {mla.LatentWidth} FLOPs per cached token per layer)")]
        : model.IsGqa
        ? [string.Create(CultureInfo.InvariantCulture, $"{model.Id} is {model.AttentionKind} ({model.QueryHeadsPerKvHead} query heads per KV head): X is d={model.HiddenSize} wide but K+V only 2 x d_kv={2 * model.KvDim}, so plain XQuant stores {(double)model.HiddenSize / (2 * model.KvDim):0.##}x the elements of a KV cache at equal bits; use xquant-gqa")]
        : [];

    internal static CacheScheme Parse(SchemeArgs a)
    {
        int bits = a.Bits(SchemeArgs.QuantBits);
        var first = a.LayersAtBits("first", null);
        var s = new XQuantScheme(
            bits,
            a.Int("g", 128, 1, 65536),
            a.Axis("axis", QuantAxis.PerToken),
            a.MetadataBytes(),
            first?.Layers ?? 0,
            first?.Bits ?? 4,
            a.Remat(RematMode.Fused),
            a.DType("rdtype", DType.Bf16, [DType.Bf16, DType.Fp16, DType.Fp8, DType.Int8, DType.Fp32]),
            a.Word("tp", "heads", ["heads", "tokens"]) == "tokens" ? TpLayout.Tokens : TpLayout.Heads);
        a.RejectUnknown("g", "axis", "meta", "first", "remat", "rdtype", "tp");
        return s;
    }
}
