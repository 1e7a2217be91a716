using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Domain.Memory;

/// <summary>One scheme's memory for one model at one (batch, context): computed once, rendered by every output.</summary>
public sealed record MemoryRow(
    ModelConfig Model,
    CacheScheme Scheme,
    double Batch,
    double ContextTokens,
    string LayoutDescription,
    double PaperBytesPerToken,
    double NormalizedSize,
    MemoryBreakdown Total,
    IReadOnlyList<string> Warnings)
{
    /// <summary>1 / normalized size, exact.</summary>
    public double SavingsExact => 1.0 / NormalizedSize;

    /// <summary>The paper's convention: 1 / (normalized size rounded to two decimals), e.g. 0.133 prints as 7.7x.</summary>
    public double SavingsPaper => 1.0 / Math.Round(NormalizedSize, 2, MidpointRounding.AwayFromZero);

    public static MemoryRow Compute(ModelConfig model, CacheScheme scheme, double batch, double contextTokens)
    {
        var layout = LayoutCache.Windowed(scheme.Layout(model), model);
        var distinct = layout.Layers.Select(l => l.Describe()).Distinct(StringComparer.Ordinal).ToList();
        string description = distinct.Count == 1
            ? distinct[0]
            : string.Join("; ", layout.Layers.Select(l => l.Describe()).Select((d, i) => (d, i))
                .GroupBy(x => x.d, StringComparer.Ordinal)
                .Select(g => $"L{g.Min(x => x.i)}-{g.Max(x => x.i)}: {g.Key}"));
        if (layout.Accumulator is { } acc)
        {
            description += $"; acc[{acc.WidthElements}] {acc.Bits}b";
        }
        double perToken = CacheMemory.PaperBytesPerToken(layout);
        return new MemoryRow(
            model,
            scheme,
            batch,
            contextTokens,
            description,
            perToken,
            perToken / CacheMemory.Fp16KvBytesPerToken(model),
            CacheMemory.ForBatch(layout, batch, contextTokens),
            scheme.Warnings(model));
    }
}
