using XQuant.Sim.Domain.Models;

namespace XQuant.Sim.Domain.Schemes;

/// <summary>The baseline: K and V of every token in FP16, 2 x d_kv x 2 bytes per token per layer.</summary>
public sealed record Fp16KvScheme : CacheScheme
{
    public override string Family => "fp16";

    public override string Spec => "fp16";

    public override CacheLayout Layout(ModelConfig model)
    {
        var layer = new LayerCache([CachedTensor.Fp16("K", model.KvDim), CachedTensor.Fp16("V", model.KvDim)]);
        return new CacheLayout(Enumerable.Repeat(layer, model.Layers).ToList(), null);
    }

    internal static CacheScheme Parse(SchemeArgs a)
    {
        a.NoBits();
        a.RejectUnknown();
        return new Fp16KvScheme();
    }
}
