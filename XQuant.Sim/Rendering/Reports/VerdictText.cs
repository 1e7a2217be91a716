using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Foundation.Text;

namespace XQuant.Sim.Rendering.Reports;

/// <summary>The verdict of <see cref="Verdict"/> in words: one sentence per point, the same in every report.</summary>
public static class VerdictText
{
    /// <summary>Sentences for the points; <paramref name="bold"/> marks scheme names with ** (Markdown), plain on a terminal.</summary>
    public static IReadOnlyList<string> Lines(IReadOnlyList<VerdictPoint> points, bool bold)
    {
        ArgumentNullException.ThrowIfNull(points);
        string B(string s) => bold ? $"**{s}**" : s;
        var lines = new List<string>();
        foreach (var p in points)
        {
            string where = $"batch {Formats.Int(p.Batch)}, context {Formats.Int(p.ContextTokens)}";
            if (p.Fastest is not { } fastest)
            {
                var any = p.Cases[0].Capacity;
                lines.Add($"{where}: no scheme fits in memory (weights alone take {Formats.Bytes(any.WeightBytes)} of {Formats.Bytes(any.DeviceBytes)}).");
                continue;
            }
            var baseline = p.Baseline;
            string why = fastest.Step.Bound == Bound.Memory
                ? $"memory-bound: it moves the fewest DRAM bytes ({Formats.Bytes(fastest.Step.DramBytes)} per step)"
                : $"compute-bound at {Formats.Sig(fastest.Step.Flops / 1e12, 3)} TFLOP per step";
            string vs = baseline is null || baseline == fastest ? "" : $", {Formats.Sig(baseline.Step.OverlappedSec / fastest.Step.OverlappedSec, 3)}x faster than {Verdict.BaselineSpec}" + (baseline.Capacity.Fits ? "" : " (which does not fit)");
            var slowest = p.Slowest!;
            string slow = slowest == fastest ? "" : $"; slowest {B(slowest.Workload.Scheme.Spec)} ({Formats.Sig(slowest.Step.OverlappedSec * 1e3)} ms, {slowest.Step.Bound.ToString().ToLowerInvariant()}-bound)";
            string cap = "";
            if (fastest.Workload.Phase == Phase.Decode)
            {
                var best = p.BestAtCapacity;
                cap = best is null ? "; no scheme fits even one sequence at this context" :
                    $"; most tokens/s at the capacity limit: {B(best.Workload.Scheme.Spec)} ({Formats.Sig(best.TokensPerSecAtMaxBatch)} tok/s at batch {Formats.Int(best.Capacity.MaxBatchAtContext)}" +
                    (baseline is null || baseline == best ? ")" : $", {Verdict.BaselineSpec} fits {Formats.Int(baseline.Capacity.MaxBatchAtContext)})");
            }
            string unit = fastest.Workload.Phase == Phase.Decode ? "ms per token" : "ms per prefill step";
            lines.Add($"{where}: fastest step {B(fastest.Workload.Scheme.Spec)} ({Formats.Sig(fastest.Step.OverlappedSec * 1e3)} {unit}, {why}{vs}){slow}{cap}.");
        }
        return lines;
    }
}
