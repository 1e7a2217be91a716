using XQuant.Sim.Domain.CostModel.CacheOps;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Domain.CostModel;

/// <summary>
/// The per-operator ledger of one step: shared transformer ops for every layer, the scheme's cache ops, and the
/// model-level ops. Rematerialization and dequantization are their own entries, never folded into attention.
/// </summary>
public static class Ledger
{
    public static void Fill(LedgerBuilder b)
    {
        bool decode = b.Workload.Phase == Phase.Decode;
        double tokens = decode ? b.NewTokens : b.Batch * b.ContextTokens;
        TransformerOps.AddLayerOps(b, tokens, b.Model.Layers);
        TransformerOps.AddModelOps(b, tokens);
        if (!decode)
        {
            if (b.Model.Mla is null)
            {
                WindowOps.AddPrefillAttention(b);
            }
            else
            {
                MlaOps.AddPrefillAttention(b, b.Model.Layers);
            }
        }
        WindowOps.AddCacheOps(b, decode, AddCacheOps);
        CommunicationOps.Add(b, tokens);
    }

    private static void AddCacheOps(LedgerBuilder b, bool decode)
    {
        if (b.Model.Mla is not null && b.Workload.Scheme is not (MlaLatentScheme or XQuantScheme))
        {
            throw new NotSupportedException($"{b.Model.Id} caches an MLA latent; scheme '{b.Workload.Scheme.Spec}' has no cost model on it (use mla, mla:BITS or xquant:BITS)");
        }
        var cache = b.CacheView();
        switch (b.Workload.Scheme)
        {
            case Fp16KvScheme or KiviScheme or FloatKvScheme:
                Run(cache, decode, KvCacheOps.Decode, KvCacheOps.Prefill);
                break;
            case XQuantScheme when b.Model.Mla is not null:
                Run(b, decode, MlaXQuantOps.Decode, MlaXQuantOps.Prefill);
                break;
            case XQuantScheme or XQuantClScheme:
                Run(cache, decode, XQuantOps.Decode, XQuantOps.Prefill);
                break;
            case XQuantGqaScheme or XQuantClGqaScheme:
                Run(cache, decode, LatentOps.Decode, LatentOps.Prefill);
                break;
            case MlaLatentScheme when b.Model.Mla is not null:
                Run(b, decode, MlaOps.Decode, MlaOps.Prefill);
                break;
            default:
                throw new NotSupportedException($"no cost model for scheme family '{b.Workload.Scheme.Family}'");
        }
    }

    public static IReadOnlyList<OpCost> Build(Workload w)
    {
        var b = new LedgerBuilder(w);
        Fill(b);
        return b.Build();
    }

    private static void Run(LedgerBuilder b, bool decode, Action<LedgerBuilder> decodeOps, Action<LedgerBuilder> prefillOps)
    {
        if (decode)
        {
            decodeOps(b);
        }
        else
        {
            prefillOps(b);
        }
    }
}
