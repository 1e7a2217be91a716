using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;

namespace XQuant.Sim.Domain.Schemes;

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

    /// <summary>The paper's latents of the whole Wkv, replicated on every rank: a per-rank SVD's latents do not span the d-wide accumulator.</summary>
    public override TpLayout TensorParallel => TpLayout.SvdGlobal;

    public override string Spec =>
        CrossLayerOptions.Spec(Family, DeltaBits, BaseLayers, BaseBits, AccumulatorBits, GroupSize, DeltaAxis, MetadataBytesPerGroup, Mode, ComputeDType);

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

    public override IReadOnlyList<string> Validate(ModelConfig model) =>
        CrossLayerOptions.Validate(BaseLayers, BaseBits, GroupSize, 2 * model.KvDim, "2 x d_kv", model);

    internal static CacheScheme Parse(SchemeArgs a)
    {
        var o = CrossLayerOptions.Parse(a);
        return new XQuantClGqaScheme(o.DeltaBits, o.BaseLayers, o.BaseBits, o.AccumulatorBits, o.GroupSize, o.DeltaAxis, o.MetadataBytesPerGroup, o.Mode, o.ComputeDType);
    }
}
