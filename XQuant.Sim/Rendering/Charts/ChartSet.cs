using ScottPlot;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Foundation.Text;

namespace XQuant.Sim.Rendering.Charts;

/// <summary>One picture of a report: a file-name stem, a caption, its size and how to draw it from finished results.</summary>
public sealed record ChartFigure(string Name, string Caption, int Width, int Height, Func<Plot> Build);

/// <summary>Where the single-point charts look: the roofline and throughput context, the batch of the context sweeps.</summary>
public sealed record ChartFocus(double Batch, double Context, IReadOnlyList<double> CapacityContexts);

/// <summary>
/// Chooses the charts a set of decode cases supports, per model and weight precision: a roofline per device, time
/// per token vs context per device, memory vs context, throughput vs batch per device, capacity bars per context.
/// Charts that would have fewer than two points on their x axis are left out.
/// </summary>
public static class ChartSet
{
    public static IReadOnlyList<ChartFigure> For(IReadOnlyList<CaseResult> allCases, ChartFocus focus)
    {
        var cases = Dedupe(allCases.Where(c => c.Workload.Phase == Phase.Decode));
        var figures = new List<ChartFigure>();
        var schemeOrder = cases.Select(c => c.Workload.Scheme.Spec).Distinct(StringComparer.Ordinal).ToList();
        var groups = cases.GroupBy(c => (c.Workload.Model.Id, c.Workload.Weights)).ToList();
        foreach (var g in groups)
        {
            string prefix = groups.Count > 1 ? $"{g.Key.Id}-{g.Key.Weights.Name()}-" : "";
            var list = g.ToList();
            var devices = list.Select(c => c.Workload.Hardware.Id).Distinct(StringComparer.Ordinal).ToList();
            foreach (string hw in devices)
            {
                var point = list.Where(c => c.Workload.Hardware.Id == hw && c.Workload.Batch == focus.Batch && c.Workload.ContextTokens == focus.Context).ToList();
                if (point.Count > 0)
                {
                    figures.Add(new ChartFigure($"{prefix}roofline-{hw}",
                        $"Roofline of {hw}: one point per operator and scheme at batch {F(focus.Batch)}, context {F(focus.Context)}.",
                        RooflineChart.Width, RooflineChart.Height, () => RooflineChart.Build(point)));
                }
            }
            foreach (string hw in devices)
            {
                var sweep = list.Where(c => c.Workload.Hardware.Id == hw && c.Workload.Batch == focus.Batch).ToList();
                if (Distinct(sweep, c => c.Workload.ContextTokens) >= 2)
                {
                    figures.Add(new ChartFigure($"{prefix}latency-{hw}",
                        $"Time per output token vs context on {hw} at batch {F(focus.Batch)} (overlapped step form).",
                        ChartStyle.Width, ChartStyle.Height, () => SweepCharts.Latency(sweep, schemeOrder)));
                }
            }
            var memory = list.Where(c => c.Workload.Batch == focus.Batch).ToList();
            if (Distinct(memory, c => c.Workload.ContextTokens) >= 2)
            {
                figures.Add(new ChartFigure($"{prefix}memory",
                    $"Memory (weights + cache + activations) vs context at batch {F(focus.Batch)}, with each device's usable memory.",
                    ChartStyle.Width, ChartStyle.Height, () => SweepCharts.Memory(memory, schemeOrder)));
            }
            foreach (string hw in devices)
            {
                var sweep = list.Where(c => c.Workload.Hardware.Id == hw && c.Workload.ContextTokens == focus.Context).ToList();
                if (sweep.Count > 0)
                {
                    figures.Add(new ChartFigure($"{prefix}throughput-{hw}",
                        $"Decode throughput vs batch on {hw} at context {F(focus.Context)}, up to the largest batch that fits.",
                        ChartStyle.Width, ChartStyle.Height, () => SweepCharts.Throughput(sweep, schemeOrder)));
                }
            }
            foreach (double ctx in focus.CapacityContexts)
            {
                var bars = list.Where(c => c.Workload.ContextTokens == ctx && c.Workload.Batch == focus.Batch).ToList();
                if (bars.Count > 0)
                {
                    figures.Add(new ChartFigure($"{prefix}capacity-{F(ctx)}",
                        $"Largest batch that fits per scheme and device at context {F(ctx)}.",
                        ChartStyle.Width, ChartStyle.Height, () => SweepCharts.Capacity(bars, schemeOrder)));
                }
            }
        }
        return figures;
    }

    /// <summary>The focus a scenario run implies: its smallest batch, its largest context, capacity at every context.</summary>
    public static ChartFocus DefaultFocus(IReadOnlyList<CaseResult> cases)
    {
        var decode = cases.Where(c => c.Workload.Phase == Phase.Decode).ToList();
        if (decode.Count == 0)
        {
            return new ChartFocus(1, 1, []);
        }
        var contexts = decode.Select(c => c.Workload.ContextTokens).Distinct().Order().ToList();
        return new ChartFocus(decode.Min(c => c.Workload.Batch), contexts[^1], contexts);
    }

    private static List<CaseResult> Dedupe(IEnumerable<CaseResult> cases)
    {
        var seen = new HashSet<(string, string, string, WeightPrecision, double, double)>();
        return cases.Where(c => seen.Add((c.Workload.Model.Id, c.Workload.Hardware.Id, c.Workload.Scheme.Spec, c.Workload.Weights, c.Workload.Batch, c.Workload.ContextTokens))).ToList();
    }

    private static int Distinct(IEnumerable<CaseResult> cases, Func<CaseResult, double> key) => cases.Select(key).Distinct().Count();

    private static string F(double v) => Formats.Int(v);
}
