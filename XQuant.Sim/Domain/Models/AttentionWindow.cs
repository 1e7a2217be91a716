namespace XQuant.Sim.Domain.Models;

/// <summary>
/// Local (sliding-window) attention: the layers marked in <see cref="IsLocal"/> cache and attend to at most the last
/// <see cref="WindowTokens"/> tokens; the others are global. Mistral-7B-v0.1 is local everywhere, Gemma-2 and
/// gpt-oss alternate local and global layers.
/// </summary>
public sealed record AttentionWindow(int WindowTokens, IReadOnlyList<bool> IsLocal)
{
    public int LocalLayers => IsLocal.Count(x => x);

    /// <summary>Tokens a local layer holds at a context: min(l, W).</summary>
    public double CachedTokens(double contextTokens) => Math.Min(contextTokens, WindowTokens);

    /// <summary>Cached tokens a local layer reads in a decode step: min(l, W - 1), so the new token makes at most W attended.</summary>
    public double DecodeContextTokens(double contextTokens) => Math.Min(contextTokens, WindowTokens - 1.0);

    /// <summary>Query-key pairs of a causal prompt of L tokens when each attends to at most W: sum over i of min(i, W).</summary>
    public double PrefillPairs(double promptTokens) =>
        promptTokens <= WindowTokens
            ? promptTokens * (promptTokens + 1) / 2
            : WindowTokens * (WindowTokens + 1.0) / 2 + (promptTokens - WindowTokens) * WindowTokens;
}
