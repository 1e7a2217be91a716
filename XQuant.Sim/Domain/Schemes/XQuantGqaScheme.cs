using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;

namespace XQuant.Sim.Domain.Schemes;

/// <summary>
/// XQuant for GQA via offline SVD: Wk = Uk Sk Bk^T, Wv = Uv Sv Bv^T (exact, rank &lt;= d_kv). Cache Q(X Uk)
/// per-channel and Q(X Uv) per-token, each d_kv wide: the memory of a KV cache at the same bits. Remat is
/// K = (X Uk)^ (Sk Bk^T), V = (X Uv)^ (Sv Bv^T) with d_kv x d_kv matrices fused offline.
/// Optionally the first key-latent channel (where the outliers concentrate) stays in FP16.
/// </summary>
public sealed record XQuantGqaScheme(
    int Bits,
    int GroupSize = 128,
    int WindowTokens = 128,
    bool Fp16FirstChannel = false,
    int MetadataBytesPerGroup = 4,
    int FirstLayers = 0,
    int FirstLayerBits = 4,
    RematMode Mode = RematMode.Fused,
    DType ComputeDType = DType.Bf16,
    TpLayout Svd = TpLayout.SvdGlobal) : CacheScheme
{
    public override string Family => "xquant-gqa";

    public override RematMode Remat => Mode;

    public override DType RematDType => ComputeDType;

    public override TpLayout TensorParallel => Svd;

    public override string Spec => new SpecText(Family, Bits)
        .Option("g", GroupSize, 128)
        .Option("window", WindowTokens, GroupSize)
        .Option("fp16first", Fp16FirstChannel ? "1" : "0", "0")
        .Option("meta", MetadataBytesPerGroup == 8 ? "fp32" : "fp16", "fp16")
        .Option("first", FirstLayers == 0 ? "" : $"{FirstLayers}@{FirstLayerBits}", "")
        .Option("remat", SchemeArgs.RematName(Mode), "fused")
        .Option("rdtype", ComputeDType.Name(), "bf16")
        .Option("svd", Svd == TpLayout.SvdPerRank ? "per-rank" : "global", "global")
        .ToString();

    public override CacheLayout Layout(ModelConfig model)
    {
        var layers = new List<LayerCache>(model.Layers);
        for (int i = 0; i < model.Layers; i++)
        {
            int bits = i < FirstLayers ? FirstLayerBits : Bits;
            layers.Add(new LayerCache(LatentTensors(model.KvDim, bits)));
        }
        return new CacheLayout(layers, null);
    }

    private List<CachedTensor> LatentTensors(int kvDim, int bits)
    {
        if (bits >= 16)
        {
            return [CachedTensor.Fp16("XUk", kvDim), CachedTensor.Fp16("XUv", kvDim)];
        }
        var tensors = new List<CachedTensor>();
        int keyWidth = Fp16FirstChannel ? kvDim - 1 : kvDim;
        if (Fp16FirstChannel)
        {
            tensors.Add(CachedTensor.Fp16("XUk[0]", 1));
        }
        tensors.Add(new CachedTensor("XUk", keyWidth, bits, QuantAxis.PerChannel, GroupSize, MetadataBytesPerGroup, WindowTokens));
        tensors.Add(new CachedTensor("XUv", kvDim, bits, QuantAxis.PerToken, GroupSize, MetadataBytesPerGroup, 0));
        return tensors;
    }

    public override IReadOnlyList<string> Validate(ModelConfig model) =>
        GroupSize > model.KvDim
            ? [$"g={GroupSize} is larger than d_kv={model.KvDim} of {model.Id}; the per-token value latent needs a group within one token"]
            : [];

    public override IReadOnlyList<string> Warnings(ModelConfig model) => model.IsGqa
        ? []
        : [$"{model.Id} is MHA: the latents are d wide, the same size as K and V; plain xquant stores half of that"];

    internal static CacheScheme Parse(SchemeArgs a)
    {
        int bits = a.Bits(SchemeArgs.QuantBits);
        int g = a.Int("g", 128, 1, 65536);
        var first = a.LayersAtBits("first", null);
        var s = new XQuantGqaScheme(
            bits,
            g,
            a.Int("window", g, 0, 1 << 20),
            a.Flag("fp16first", false),
            a.MetadataBytes(),
            first?.Layers ?? 0,
            first?.Bits ?? 4,
            a.Remat(RematMode.Fused),
            a.DType("rdtype", DType.Bf16, [DType.Bf16, DType.Fp16, DType.Fp8, DType.Int8, DType.Fp32]),
            a.Word("svd", "global", ["global", "per-rank"]) == "per-rank" ? TpLayout.SvdPerRank : TpLayout.SvdGlobal);
        a.RejectUnknown("g", "window", "fp16first", "meta", "first", "remat", "rdtype", "svd");
        return s;
    }
}
