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
        Cache.GetOrCreateValue(scheme).GetValue(model, m => scheme.Layout(m));
}
