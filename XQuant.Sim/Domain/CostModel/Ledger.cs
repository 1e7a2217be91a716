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
        double tokens = decode ? b.Batch : b.Batch * b.ContextTokens;
        TransformerOps.AddLayerOps(b, tokens, b.Model.Layers);
        TransformerOps.AddModelOps(b, tokens);
        if (!decode)
        {
            TransformerOps.AddPrefillAttention(b, b.Model.Layers);
        }
        var cache = b.CacheView();
        switch (b.Workload.Scheme)
        {
            case Fp16KvScheme or KiviScheme:
                Run(cache, decode, KvCacheOps.Decode, KvCacheOps.Prefill);
                break;
            case XQuantScheme or XQuantClScheme:
                Run(cache, decode, XQuantOps.Decode, XQuantOps.Prefill);
                break;
            case XQuantGqaScheme or XQuantClGqaScheme:
                Run(cache, decode, LatentOps.Decode, LatentOps.Prefill);
                break;
            default:
                throw new NotSupportedException($"no cost model for scheme family '{b.Workload.Scheme.Family}'");
        }
        CommunicationOps.Add(b, tokens);
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
