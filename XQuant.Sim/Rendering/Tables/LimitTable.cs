using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Studies.Measurement;

namespace XQuant.Sim.Rendering.Tables;

/// <summary>The performance table of `bench --limits` as Markdown: each figure beside the limit it is read against.</summary>
public static class LimitTable
{
    private static string Percent(double ratio) => $"{Formats.Fixed(ratio * 100, 0)}%";

    private static string Spread(double lo, double hi) => $"{Formats.Fixed(lo * 100, 0)}-{Formats.Fixed(hi * 100, 0)}%";

    public static IEnumerable<string> Markdown(LimitBenchResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        yield return $"Measured on this host ({result.Host}), {result.Rounds} interleaved rounds, load average {result.LoadBefore} before and {result.LoadAfter} after; every figure is measured on this CPU (none is a datasheet value or a GPU run).";
        yield return "";
        yield return "| figure | median rate | limit (same rounds) | ratio median | ratio spread | CPU-time ratio median | CPU-time spread |";
        yield return "|---|---:|---|---:|---:|---:|---:|";
        foreach (var r in result.Rows)
        {
            string rate = $"{Formats.Sig(r.Median, 3)} {r.Unit}";
            string cpu = double.IsNaN(r.CpuRatioMedian) ? "n/a | n/a" : $"{Percent(r.CpuRatioMedian)} | {Spread(r.CpuRatioMin, r.CpuRatioMax)}";
            yield return r.Limit is null
                ? $"| {r.Figure} | {rate} | (a limit) | | | | |"
                : $"| {r.Figure} | {rate} | {r.Limit} | {Percent(r.RatioMedian)} | {Spread(r.RatioMin, r.RatioMax)} | {cpu} |";
        }
        yield return "";
        yield return "- ratio: work per wall second over the limit's, per round; CPU-time ratio: work per CPU second of this process over the limit's (a core taken by other work stalls the wall clock, not the CPU clock; for N threads of the cost model the CPU-time limit is the one-thread rate, i.e. 100% = no extra CPU per case)";
        foreach (string note in result.Notes)
        {
            yield return $"- {note}";
        }
    }
}
