using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;

namespace XQuant.Sim.Domain.Schemes;

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
    DType ComputeDType = DType.Bf16,
    TpLayout Tp = TpLayout.Heads) : CacheScheme
{
    public override string Family => "xquant-cl";

    public override RematMode Remat => Mode;

    public override DType RematDType => ComputeDType;

    /// <summary>tp=heads: X, deltas and accumulator replicated on every rank; tp=tokens: all three sharded by tokens.</summary>
    public override TpLayout TensorParallel => Tp;

    /// <summary>0-based index of the layer whose X^ seeds the accumulator.</summary>
    public int BaseLayerIndex => Math.Max(BaseLayers - 1, 0);

    public override string Spec =>
        CrossLayerOptions.Spec(Family, DeltaBits, BaseLayers, BaseBits, AccumulatorBits, GroupSize, DeltaAxis, MetadataBytesPerGroup, Mode, ComputeDType)
        + (Tp == TpLayout.Tokens ? ",tp=tokens" : "");

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

    public override IReadOnlyList<string> Validate(ModelConfig model) =>
        CrossLayerOptions.Validate(BaseLayers, BaseBits, GroupSize, model.HiddenSize, "d", model);

    public override IReadOnlyList<string> Warnings(ModelConfig model) => model.IsGqa
        ? [$"{model.Id} is {model.AttentionKind}: X and its deltas are d={model.HiddenSize} wide vs 2 x d_kv={2 * model.KvDim} for K+V; use xquant-cl-gqa"]
        : [];

    internal static CacheScheme Parse(SchemeArgs a)
    {
        var tp = a.Word("tp", "heads", ["heads", "tokens"]) == "tokens" ? TpLayout.Tokens : TpLayout.Heads;
        var o = CrossLayerOptions.Parse(a);
        return new XQuantClScheme(o.DeltaBits, o.BaseLayers, o.BaseBits, o.AccumulatorBits, o.GroupSize, o.DeltaAxis, o.MetadataBytesPerGroup, o.Mode, o.ComputeDType, tp);
    }
}
