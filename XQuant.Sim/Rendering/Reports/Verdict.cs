using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Planning;

using XQuant.Sim.Foundation.Text;

namespace XQuant.Sim.Rendering.Reports;

/// <summary>One sentence per (batch, context): the fastest scheme that fits, the smallest cache, the best throughput at capacity.</summary>
public static class Verdict
{
    public static IReadOnlyList<string> Lines(IReadOnlyList<CaseResult> cases, bool bold)
    {
        string B(string s) => bold ? $"**{s}**" : s;
        var lines = new List<string>();
        foreach (var point in cases.GroupBy(c => (c.Workload.Batch, c.Workload.ContextTokens)))
        {
            string where = $"batch {Formats.Int(point.Key.Batch)}, context {Formats.Int(point.Key.ContextTokens)}";
            var fitting = point.Where(c => c.Capacity.Fits).ToList();
            if (fitting.Count == 0)
            {
                lines.Add($"{where}: no scheme fits in memory");
                continue;
            }
            var fastest = fitting.MinBy(c => c.Step.OverlappedSec)!;
            var smallest = point.MinBy(c => c.Cache.TotalBytes)!;
            string line = $"{where}: fastest step {B(fastest.Workload.Scheme.Spec)} ({Formats.Seconds(fastest.Step.OverlappedSec)}, {fastest.Step.Bound.ToString().ToLowerInvariant()}-bound); smallest cache {smallest.Workload.Scheme.Spec} ({Formats.Bytes(smallest.Cache.TotalBytes)})";
            if (fastest.Workload.Phase == Phase.Decode)
            {
                var best = point.MaxBy(c => c.TokensPerSecAtMaxBatch)!;
                line += $"; most tokens/s at the largest batch that fits {B(best.Workload.Scheme.Spec)} ({Formats.Sig(best.TokensPerSecAtMaxBatch)} tok/s at batch {Formats.Int(best.Capacity.MaxBatchAtContext)})";
            }
            lines.Add(line);
        }
        return lines;
    }
}
