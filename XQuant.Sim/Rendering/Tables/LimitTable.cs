using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Studies.Measurement;

namespace XQuant.Sim.Rendering.Tables;

/// <summary>The performance table of `bench --limits` as Markdown: each figure beside the limit it is read against.</summary>
public static class LimitTable
{
    public static IEnumerable<string> Markdown(LimitBenchResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        yield return $"Measured on this host ({result.Host}), {result.Rounds} interleaved rounds, load average {result.LoadBefore} before and {result.LoadAfter} after; every figure is measured on this CPU (none is a datasheet value or a GPU run).";
        yield return "";
        yield return "| figure | median rate | limit (same rounds) | ratio median | ratio spread |";
        yield return "|---|---:|---|---:|---:|";
        foreach (var r in result.Rows)
        {
            string rate = $"{Formats.Sig(r.Median, 3)} {r.Unit}";
            yield return r.Limit is null
                ? $"| {r.Figure} | {rate} | (a limit) | | |"
                : $"| {r.Figure} | {rate} | {r.Limit} | {Formats.Fixed(r.RatioMedian * 100, 0)}% | {Formats.Fixed(r.RatioMin * 100, 0)}-{Formats.Fixed(r.RatioMax * 100, 0)}% |";
        }
        yield return "";
        foreach (string note in result.Notes)
        {
            yield return $"- {note}";
        }
    }
}
