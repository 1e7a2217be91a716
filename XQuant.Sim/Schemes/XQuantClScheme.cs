using XQuant.Sim.Hardware;
using XQuant.Sim.Models;

namespace XQuant.Sim.Schemes;

/// <summary>
/// XQuant-CL: the first <see cref="BaseLayers"/> layers store Q(X) at <see cref="BaseBits"/> (the paper: 3 layers
/// at 4 bits); layer BaseLayers-1 is the base. Every later layer i stores dX_i = Q(X_i - X^_{i-1}) at
/// <see cref="DeltaBits"/>, and an accumulator X^_{i-1} = X^_base + sum of deltas carries the running sum.
/// <para>Parameters the paper leaves open, made explicit: the delta axis (default per-token, like X), the base
/// layer index (the last base layer, 0-based), and the accumulator bits (default 4, "typically 4 bits"; the
/// accumulator is a working buffer per sequence, not stored per layer, and is not in the paper's sizes).</para>
/// </summary>
public sealed record XQuantClScheme(
    int DeltaBits,
    int BaseLayers = 3,
    int BaseBits = 4,
    int AccumulatorBits = 4,
    int GroupSize = 128,
    QuantAxis DeltaAxis = QuantAxis.PerToken,
    int MetadataBytesPerGroup = 4,
    RematMode Mode = RematMode.Fused,
    DType ComputeDType = DType.Bf16) : CacheScheme
{
    public override string Family => "xquant-cl";

    public override RematMode Remat => Mode;

    public override DType RematDType => ComputeDType;

    /// <summary>0-based index of the layer whose X^ seeds the accumulator.</summary>
    public int BaseLayerIndex => Math.Max(BaseLayers - 1, 0);

    public override string Spec => new SpecText(Family, DeltaBits)
        .Option("base", $"{BaseLayers}@{BaseBits}", "3@4")
        .Option("acc", AccumulatorBits, 4)
        .Option("g", GroupSize, 128)
        .Option("axis", DeltaAxis == QuantAxis.PerToken ? "token" : "channel", "token")
        .Option("meta", MetadataBytesPerGroup == 8 ? "fp32" : "fp16", "fp16")
        .Option("remat", SchemeArgs.RematName(Mode), "fused")
        .Option("rdtype", ComputeDType.Name(), "bf16")
        .ToString();

    public override CacheLayout Layout(ModelConfig model)
    {
        var layers = new List<LayerCache>(model.Layers);
        for (int i = 0; i < model.Layers; i++)
        {
            layers.Add(i < BaseLayers
                ? new LayerCache([XQuantScheme.XTensor("X", model.HiddenSize, BaseBits, QuantAxis.PerToken, GroupSize, MetadataBytesPerGroup)])
                : new LayerCache([XQuantScheme.XTensor("dX", model.HiddenSize, DeltaBits, DeltaAxis, GroupSize, MetadataBytesPerGroup)]));
        }
        return new CacheLayout(layers, new AccumulatorBuffer(model.HiddenSize, AccumulatorBits));
    }

    public override IReadOnlyList<string> Validate(ModelConfig model)
    {
        var problems = new List<string>();
        if (BaseLayers < 1 || BaseLayers > model.Layers)
        {
            problems.Add($"base={BaseLayers}@{BaseBits}: base layers must be 1 to {model.Layers} (the layers of {model.Id})");
        }
        if (GroupSize > model.HiddenSize)
        {
            problems.Add($"g={GroupSize} is larger than d={model.HiddenSize} of {model.Id}");
        }
        return problems;
    }

    public override IReadOnlyList<string> Warnings(ModelConfig model) => model.IsGqa
        ? [$"{model.Id} is {model.AttentionKind}: X and its deltas are d={model.HiddenSize} wide vs 2 x d_kv={2 * model.KvDim} for K+V; use xquant-cl-gqa"]
        : [];

    internal static CacheScheme Parse(SchemeArgs a)
    {
        int bits = a.Bits(SchemeArgs.QuantBits, "delta bits");
        var baseSpec = a.LayersAtBits("base", (3, 4))!.Value;
        var s = new XQuantClScheme(
            bits,
            baseSpec.Layers,
            baseSpec.Bits,
            a.Choice("acc", 4, [2, 3, 4, 8, 16]),
            a.Int("g", 128, 1, 65536),
            a.Axis("axis", QuantAxis.PerToken),
            a.MetadataBytes(),
            a.Remat(RematMode.Fused),
            a.DType("rdtype", DType.Bf16, [DType.Bf16, DType.Fp16, DType.Fp8, DType.Int8, DType.Fp32]));
        if (baseSpec.Layers < 1)
        {
            a.Errors.Add("option base: at least one base layer is needed (e.g. base=1@4)");
        }
        a.RejectUnknown("base", "acc", "g", "axis", "meta", "remat", "rdtype");
        return s;
    }
}
