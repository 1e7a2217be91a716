using System.Globalization;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Domain.Models;

/// <summary>The grammar of MoE routing, shared by --moe-routing and the scenario field "moe_routing": uniform | zipf=S | touched=F.</summary>
public static class MoeRoutingText
{
    public const string Grammar = "uniform | zipf=S (0 to 8) | touched=F (0 < F <= 1)";

    public static MoeRouting Parse(string text, string source, string field = "")
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        if (t == "uniform")
        {
            return MoeRouting.Uniform;
        }
        int eq = t.IndexOf('=', StringComparison.Ordinal);
        string key = eq < 0 ? t : t[..eq];
        bool number = double.TryParse(eq < 0 ? "" : t[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double v);
        return key switch
        {
            "zipf" when number && v >= 0 && v <= MoeRouting.MaxSkew => new MoeRouting(Skew: v),
            "touched" when number && v > 0 && v <= 1 => new MoeRouting(TouchedFraction: v),
            _ => throw new InputException(source, field, $"'{JsonFields.Truncate(text)}' is not a routing (allowed: {Grammar})"),
        };
    }
}
