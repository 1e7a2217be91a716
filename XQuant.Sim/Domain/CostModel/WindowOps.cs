using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Domain.CostModel;

/// <summary>
/// Local (sliding-window) layers in the ledger. In decode a local layer reads and attends to at most W tokens: its
/// cache ops (KV reads, dequantization, XQuant's rematerialization) are costed at min(l, W - 1) cached tokens, the
/// global layers' at l. In prefill every prompt token's K/V (or X) is still projected and written (engines write the
/// whole prompt, then evict), but a local layer's attention covers at most W keys per query.
/// </summary>
public static class WindowOps
{
    public static void AddCacheOps(LedgerBuilder b, bool decode, Action<LedgerBuilder, bool> cacheOps)
    {
        if (b.Model.Window is not { } window || !decode)
        {
            cacheOps(b, decode);
            return;
        }
        // Split with a loop (no LINQ, no tuple array): every decode case of a sliding-window model comes through here.
        var layout = b.Layout;
        var globalLayers = new List<LayerCache>(layout.Layers.Count);
        var localLayers = new List<LayerCache>(layout.Layers.Count);
        for (int i = 0; i < layout.Layers.Count; i++)
        {
            var l = layout.Layers[i];
            if (l.AttentionWindowTokens == 0)
            {
                globalLayers.Add(l);
            }
            else if (l.AttentionWindowTokens > 0)
            {
                localLayers.Add(l);
            }
        }
        if (globalLayers.Count > 0)
        {
            cacheOps(b.ForLayers(new CacheLayout(globalLayers, layout.Accumulator), b.ContextTokens), decode);
        }
        if (localLayers.Count > 0)
        {
            cacheOps(b.ForLayers(new CacheLayout(localLayers, null), window.DecodeContextTokens(b.ContextTokens)), decode);
        }
    }

    /// <summary>Causal prompt attention: global layers over every earlier token, local layers over at most W.</summary>
    public static void AddPrefillAttention(LedgerBuilder b)
    {
        var m = b.Model;
        if (m.Window is not { } window)
        {
            TransformerOps.AddPrefillAttention(b, m.Layers);
            return;
        }
        TransformerOps.AddPrefillAttention(b, m.Layers - window.LocalLayers);
        double pairs = b.Batch * window.PrefillPairs(b.ContextTokens);
        b.Add(b.Op("attn_prefill", OpKind.Attention, 4 * m.Heads * m.HeadDim * pairs + 5 * m.Heads * pairs, b.GemmDType)
            .AddBytes(TensorClass.ActivationsRead, b.Batch * b.ContextTokens * (m.QDim + 2.0 * m.KvDim) * LedgerBuilder.ActivationBytesPerElement)
            .AddBytes(TensorClass.ActivationsWritten, b.Batch * b.ContextTokens * m.QDim * LedgerBuilder.ActivationBytesPerElement), window.LocalLayers);
    }
}
