using System.Globalization;
using System.Text;

namespace XQuant.Sim.Domain.Schemes;

/// <summary>Builds the canonical compact form: options appear only when they differ from their defaults.</summary>
internal sealed class SpecText
{
    private readonly StringBuilder _sb = new();

    public SpecText(string family, int? bits)
    {
        _sb.Append(family);
        if (bits is int b)
        {
            _sb.Append(':').Append(b.ToString(CultureInfo.InvariantCulture));
        }
    }

    public SpecText Option(string key, string value, string defaultValue)
    {
        if (!string.Equals(value, defaultValue, StringComparison.Ordinal))
        {
            _sb.Append(',').Append(key).Append('=').Append(value);
        }
        return this;
    }

    public SpecText Option(string key, int value, int defaultValue) =>
        Option(key, value.ToString(CultureInfo.InvariantCulture), defaultValue.ToString(CultureInfo.InvariantCulture));

    public override string ToString() => _sb.ToString();
}
