using System.Globalization;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Studies.Serving;

/// <summary>
/// data/prices.csv: published on-demand prices per device-hour (device id, price, provider, offer, source URL, date,
/// note; lines starting with # are comments). Every problem is one line naming the file, line and field.
/// </summary>
public static class PriceTable
{
    public static readonly string[] Header = ["device", "usd_per_device_hour", "provider", "offer", "source", "as_of", "note"];

    public static string DefaultPath => Path.Combine(DataPaths.Find("data"), "prices.csv");

    /// <summary>The published price of <paramref name="hw"/>, or of the device a node is made of (per device).</summary>
    public static DevicePrice? For(this IReadOnlyDictionary<string, DevicePrice> prices, Domain.Hardware.HardwareProfile hw)
    {
        ArgumentNullException.ThrowIfNull(prices);
        ArgumentNullException.ThrowIfNull(hw);
        return prices.GetValueOrDefault(hw.Id) ?? (hw.NodeDevice is string device ? prices.GetValueOrDefault(device) : null);
    }

    public static IReadOnlyDictionary<string, DevicePrice> Load(string path)
    {
        if (!File.Exists(path))
        {
            return new Dictionary<string, DevicePrice>(StringComparer.Ordinal);
        }
        return Parse(File.ReadAllLines(path), path);
    }

    public static IReadOnlyDictionary<string, DevicePrice> Parse(IReadOnlyList<string> lines, string file)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var errors = new List<InputError>();
        var prices = new Dictionary<string, DevicePrice>(StringComparer.Ordinal);
        bool header = false;
        for (int i = 0; i < lines.Count; i++)
        {
            string line = lines[i];
            string where = $"{file}:{(i + 1).ToString(CultureInfo.InvariantCulture)}";
            if (string.IsNullOrWhiteSpace(line) || line.StartsWith('#'))
            {
                continue;
            }
            var cells = line.Split(',', StringSplitOptions.TrimEntries);
            if (!header)
            {
                header = true;
                if (!cells.SequenceEqual(Header, StringComparer.Ordinal))
                {
                    errors.Add(new InputError(where, "header", $"must be {string.Join(',', Header)}"));
                    break;
                }
                continue;
            }
            if (cells.Length != Header.Length)
            {
                errors.Add(new InputError(where, "", $"has {cells.Length} fields; expected {Header.Length} (no commas inside fields)"));
                continue;
            }
            if (!double.TryParse(cells[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double usd) || !double.IsFinite(usd) || usd <= 0)
            {
                errors.Add(new InputError(where, "usd_per_device_hour", $"'{JsonFields.Truncate(cells[1])}' must be a price > 0"));
                continue;
            }
            if (!cells[4].StartsWith("https://", StringComparison.Ordinal))
            {
                errors.Add(new InputError(where, "source", "must be an https:// URL"));
                continue;
            }
            if (!DateOnly.TryParseExact(cells[5], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                errors.Add(new InputError(where, "as_of", $"'{JsonFields.Truncate(cells[5])}' must be a date yyyy-mm-dd"));
                continue;
            }
            if (!prices.TryAdd(cells[0], new DevicePrice(cells[0], usd, cells[2], cells[3], cells[4], cells[5], cells[6])))
            {
                errors.Add(new InputError(where, "device", $"'{cells[0]}' is listed twice"));
            }
        }
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }
        return prices;
    }
}
