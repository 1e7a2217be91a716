using System.Globalization;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Studies.Serving;

/// <summary>
/// Latency targets a request must all meet to count toward goodput: time to first token, time per output token,
/// end-to-end latency. Null: no target on that metric.
/// </summary>
public sealed record Slo(double? TtftSec, double? TpotSec, double? E2eSec)
{
    public static readonly Slo None = new(null, null, null);

    public bool IsEmpty => TtftSec is null && TpotSec is null && E2eSec is null;

    /// <summary>Whether one completed request meets every target (a one-token output has no TPOT and passes it).</summary>
    public bool Meets(RequestOutcome r) =>
        r.Completed
        && (TtftSec is not double ttft || r.TtftSec <= ttft)
        && (TpotSec is not double tpot || double.IsNaN(r.TpotSec) || r.TpotSec <= tpot)
        && (E2eSec is not double e2e || r.E2eSec <= e2e);

    public override string ToString()
    {
        var parts = new List<string>();
        if (TtftSec is double a)
        {
            parts.Add($"ttft={Show(a)}");
        }
        if (TpotSec is double b)
        {
            parts.Add($"tpot={Show(b)}");
        }
        if (E2eSec is double c)
        {
            parts.Add($"e2e={Show(c)}");
        }
        return parts.Count == 0 ? "none" : string.Join(",", parts);
    }

    private static string Show(double sec) => sec < 1 ? $"{(sec * 1e3).ToString("0.###", CultureInfo.InvariantCulture)}ms" : $"{sec.ToString("0.###", CultureInfo.InvariantCulture)}s";

    /// <summary>Parses "ttft=2s,tpot=50ms,e2e=30s" (units s or ms; each key once; values &gt; 0).</summary>
    public static Slo Parse(string text, string source = "--slo")
    {
        double? ttft = null, tpot = null, e2e = null;
        var errors = new List<InputError>();
        foreach (string item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = item.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? item : item[..eq].Trim();
            string value = eq < 0 ? "" : item[(eq + 1)..].Trim();
            if (key is not ("ttft" or "tpot" or "e2e"))
            {
                errors.Add(new InputError(source, JsonFields.Truncate(key), "is not a target (allowed: ttft, tpot, e2e, as key=value with s or ms)"));
                continue;
            }
            if (!TryParseDuration(value, out double sec))
            {
                errors.Add(new InputError(source, key, $"'{JsonFields.Truncate(value)}' must be a positive duration with a unit, e.g. 2s or 50ms"));
                continue;
            }
            bool dup = key switch
            {
                "ttft" => ttft is not null,
                "tpot" => tpot is not null,
                _ => e2e is not null,
            };
            if (dup)
            {
                errors.Add(new InputError(source, key, "is given twice"));
                continue;
            }
            switch (key)
            {
                case "ttft":
                    ttft = sec;
                    break;
                case "tpot":
                    tpot = sec;
                    break;
                default:
                    e2e = sec;
                    break;
            }
        }
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }
        var slo = new Slo(ttft, tpot, e2e);
        return slo.IsEmpty ? throw new InputException(source, "", "needs at least one target, e.g. ttft=2s,tpot=50ms") : slo;
    }

    private static bool TryParseDuration(string s, out double sec)
    {
        double scale = s.EndsWith("ms", StringComparison.Ordinal) ? 1e-3 : s.EndsWith('s') ? 1 : double.NaN;
        string number = s.EndsWith("ms", StringComparison.Ordinal) ? s[..^2] : s.EndsWith('s') ? s[..^1] : s;
        sec = 0;
        if (double.IsNaN(scale) || !double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v) || v <= 0)
        {
            return false;
        }
        sec = v * scale;
        return true;
    }
}
