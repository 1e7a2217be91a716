using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Domain.Memory;

/// <summary>
/// Exact cache accounting. Two views:
/// <list type="bullet">
/// <item>Paper convention, per token: payload width x bits / 8 plus one scale and zero per group, amortized;
/// no residual window, no accumulator. With FP16 scale+zero and G = 128 this is +0.25 bits per element, which
/// reproduces every size the paper prints.</item>
/// <item>At a context of l tokens: packed rows (ceil(width x bits / 8) bytes per token), whole groups, the FP16
/// window and the accumulator, each a separate term.</item>
/// </list>
/// All byte counts are doubles: exact for integers below 2^53 (9 PB), and no overflow at any size.
/// Sums loop by index over the runs and tensors (no LINQ, no boxed enumerators): the capacity planner's bisection
/// calls them ~40 times per swept case. They add in the same order as before, so totals are bit-identical.
/// </summary>
public static class CacheMemory
{
    /// <summary>Payload + metadata bytes per token of one tensor, amortized as the paper counts.</summary>
    public static double PaperBytesPerToken(CachedTensor t)
    {
        if (!t.IsQuantized)
        {
            return t.WidthElements * 2.0;
        }
        double payload = t.WidthElements * (double)t.Bits / 8.0;
        double metadata = t.Axis == QuantAxis.PerToken
            ? Math.Ceiling(t.WidthElements / (double)t.GroupSize) * t.MetadataBytesPerGroup
            : t.WidthElements * (double)t.MetadataBytesPerGroup / t.GroupSize;
        return payload + metadata;
    }

    /// <summary>Paper-convention bytes per cached token, summed over all layers.</summary>
    public static double PaperBytesPerToken(CacheLayout layout)
    {
        double total = 0;
        var runs = layout.Runs;
        for (int r = 0; r < runs.Count; r++)
        {
            var tensors = runs[r].Layer.Tensors;
            double perLayer = 0;
            for (int i = 0; i < tensors.Count; i++)
            {
                perLayer += PaperBytesPerToken(tensors[i]);
            }
            total += runs[r].Count * perLayer;
        }
        return total;
    }

    /// <summary>FP16 K+V bytes per token over all layers: 2 x d_kv x 2 x layers.</summary>
    public static double Fp16KvBytesPerToken(ModelConfig model) => 2.0 * model.KvDim * 2.0 * model.Layers;

    /// <summary>Normalized size: the scheme's paper-convention bytes over an FP16 KV cache's.</summary>
    public static double NormalizedSize(CacheScheme scheme, ModelConfig model) =>
        PaperBytesPerToken(scheme.Layout(model)) / Fp16KvBytesPerToken(model);

    /// <summary>Bytes one tensor holds for one sequence of <paramref name="contextTokens"/> tokens.</summary>
    public static MemoryBreakdown ForTensor(CachedTensor t, double contextTokens)
    {
        if (!t.IsQuantized)
        {
            return new MemoryBreakdown(contextTokens * t.WidthElements * 2.0, 0, 0, 0);
        }
        double window = t.WindowAt(contextTokens);
        double quantized = contextTokens - window;
        double rowBytes = Math.Ceiling(t.WidthElements * (double)t.Bits / 8.0);
        double groups = t.Axis == QuantAxis.PerToken
            ? quantized * Math.Ceiling(t.WidthElements / (double)t.GroupSize)
            : t.WidthElements * Math.Ceiling(quantized / t.GroupSize);
        return new MemoryBreakdown(quantized * rowBytes, groups * t.MetadataBytesPerGroup, window * t.WidthElements * 2.0, 0);
    }

    /// <summary>The accumulator buffer of one sequence: width x bits per token, plus per-token metadata when quantized.</summary>
    public static double AccumulatorBytes(AccumulatorBuffer acc, double contextTokens, int groupSize = 128)
    {
        if (acc.Bits >= 16)
        {
            return contextTokens * acc.WidthElements * 2.0;
        }
        double row = Math.Ceiling(acc.WidthElements * (double)acc.Bits / 8.0) + Math.Ceiling(acc.WidthElements / (double)groupSize) * 4.0;
        return contextTokens * row;
    }

    /// <summary>Everything one sequence holds at a context, all layers.</summary>
    public static MemoryBreakdown ForSequence(CacheLayout layout, double contextTokens)
    {
        // Four running sums instead of a breakdown per term (three objects per tensor); the same adds and
        // multiplies in the same order as summing Plus(ForTensor(...).Times(count)), so bit-identical.
        double payload = 0, metadata = 0, window = 0, accumulator = 0;
        var runs = layout.Runs;
        for (int r = 0; r < runs.Count; r++)
        {
            var run = runs[r];
            var tensors = run.Layer.Tensors;
            for (int i = 0; i < tensors.Count; i++)
            {
                var m = ForTensor(tensors[i], run.Layer.CachedTokens(contextTokens));
                payload += m.PayloadBytes * run.Count;
                metadata += m.MetadataBytes * run.Count;
                window += m.WindowBytes * run.Count;
                accumulator += m.AccumulatorBytes * run.Count;
            }
        }
        if (layout.Accumulator is { } acc)
        {
            // Plus(0, 0, 0, acc) left the other three as they were: a sum that starts at +0 is never -0.
            accumulator += AccumulatorBytes(acc, contextTokens);
        }
        return new MemoryBreakdown(payload, metadata, window, accumulator);
    }

    /// <summary>
    /// Total bytes of one sequence, the same sum as <see cref="ForSequence"/> without building breakdowns (the
    /// planner's bisection calls it often). With <paramref name="worstWindow"/> the window is taken at its fullest
    /// on the way to the context, which makes the total monotone in the context.
    /// </summary>
    public static double TotalBytesPerSequence(CacheLayout layout, double contextTokens, bool worstWindow = false)
    {
        double total = 0;
        var runs = layout.Runs;
        for (int r = 0; r < runs.Count; r++)
        {
            var run = runs[r];
            var tensors = run.Layer.Tensors;
            for (int i = 0; i < tensors.Count; i++)
            {
                var t = tensors[i];
                total += run.Count * TensorTotal(t, run.Layer.CachedTokens(contextTokens), worstWindow);
            }
        }
        return layout.Accumulator is { } acc ? total + AccumulatorBytes(acc, contextTokens) : total;
    }

    private static double TensorTotal(CachedTensor t, double contextTokens, bool worstWindow)
    {
        if (!t.IsQuantized)
        {
            return contextTokens * t.WidthElements * 2.0;
        }
        double window = worstWindow ? t.WorstWindowUpTo(contextTokens) : t.WindowAt(contextTokens);
        double quantized = contextTokens - window;
        double groups = t.Axis == QuantAxis.PerToken
            ? quantized * Math.Ceiling(t.WidthElements / (double)t.GroupSize)
            : t.WidthElements * Math.Ceiling(quantized / t.GroupSize);
        return quantized * Math.Ceiling(t.WidthElements * (double)t.Bits / 8.0) + groups * t.MetadataBytesPerGroup + window * t.WidthElements * 2.0;
    }

    /// <summary>Cache bytes of a batch of sequences that all hold <paramref name="contextTokens"/> tokens.</summary>
    public static MemoryBreakdown ForBatch(CacheLayout layout, double batch, double contextTokens) =>
        ForSequence(layout, contextTokens).Times(batch);
}
