using XQuant.Sim.Hardware;
using XQuant.Sim.Models;

namespace XQuant.Sim.Schemes;

/// <summary>
/// XQuant-CL for GQA: SVD of Wkv = [Wk | Wv] (d x 2 d_kv) = Ukv S B^T. Base layers store the latent X Ukv
/// (2 d_kv wide) at base bits; later layers store Q(dX_i Ukv). Reconstruction up-projects the delta latent with
/// Ukv^T to d, adds it to the d-wide accumulator and multiplies by Wkv: 2 x 4 x l x d_kv x d FLOPs per layer.
/// </summary>
public sealed record XQuantClGqaScheme(
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
    public override string Family => "xquant-cl-gqa";

    public override RematMode Remat => Mode;

    public override DType RematDType => ComputeDType;

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
        int width = 2 * model.KvDim;
        var layers = new List<LayerCache>(model.Layers);
        for (int i = 0; i < model.Layers; i++)
        {
            layers.Add(i < BaseLayers
                ? new LayerCache([XQuantScheme.XTensor("XUkv", width, BaseBits, QuantAxis.PerToken, GroupSize, MetadataBytesPerGroup)])
                : new LayerCache([XQuantScheme.XTensor("dXUkv", width, DeltaBits, DeltaAxis, GroupSize, MetadataBytesPerGroup)]));
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
        if (GroupSize > 2 * model.KvDim)
        {
            problems.Add($"g={GroupSize} is larger than 2 x d_kv={2 * model.KvDim} of {model.Id}");
        }
        return problems;
    }

    internal static CacheScheme Parse(SchemeArgs a)
    {
        int bits = a.Bits(SchemeArgs.QuantBits, "delta bits");
        var baseSpec = a.LayersAtBits("base", (3, 4))!.Value;
        var s = new XQuantClGqaScheme(
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
