using System.Runtime.CompilerServices;
using XQuant.Sim.Domain.Models;

namespace XQuant.Sim.Domain.Schemes;

/// <summary>
/// Layouts are pure functions of (scheme, model); a sweep asks for the same pair thousands of times, so they are
/// kept per instance pair for as long as both live.
/// </summary>
public static class LayoutCache
{
    private static readonly ConditionalWeakTable<CacheScheme, ConditionalWeakTable<ModelConfig, CacheLayout>> Cache = new();

    public static CacheLayout Get(CacheScheme scheme, ModelConfig model) =>
        Cache.GetOrCreateValue(scheme).GetValue(model, m => Windowed(scheme.Layout(m), m));

    /// <summary>The scheme's layout with the model's local layers marked, so memory holds at most their window.</summary>
    public static CacheLayout Windowed(CacheLayout layout, ModelConfig model)
    {
        if (model.Window is not { } w)
        {
            return layout;
        }
        var layers = layout.Layers.Select((l, i) => i < w.IsLocal.Count && w.IsLocal[i] ? l with { AttentionWindowTokens = w.WindowTokens } : l).ToList();
        return new CacheLayout(layers, layout.Accumulator);
    }
}
