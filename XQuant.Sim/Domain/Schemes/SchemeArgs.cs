using System.Globalization;
using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Domain.Schemes;

/// <summary>
/// The parsed pieces of a compact scheme string "family[:bits][,key=value]...", with typed accessors that record
/// every problem (unknown option, bits not allowed) instead of throwing.
/// </summary>
public sealed class SchemeArgs
{
    public static readonly IReadOnlyList<int> QuantBits = [2, 3, 4, 8];

    private readonly Dictionary<string, string> _options;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public SchemeArgs(string text, string family, string? bits, Dictionary<string, string> options, List<string> errors)
    {
        Text = text;
        Family = family;
        BitsText = bits;
        _options = options;
        Errors = errors;
    }

    public string Text { get; }
    public string Family { get; }
    public string? BitsText { get; }
    public List<string> Errors { get; }

    public void NoBits()
    {
        if (BitsText is not null)
        {
            Errors.Add($"'{Family}' takes no bit width (got ':{BitsText}')");
        }
    }

    public int Bits(IReadOnlyList<int> allowed, string what = "bits")
    {
        if (BitsText is null)
        {
            Errors.Add($"'{Family}' needs a bit width, e.g. {Family}:{allowed[^1]} (allowed {what}: {string.Join(", ", allowed)})");
            return allowed[^1];
        }
        if (!int.TryParse(BitsText, NumberStyles.None, CultureInfo.InvariantCulture, out int b) || !allowed.Contains(b))
        {
            Errors.Add($"{what} '{BitsText}' not allowed for '{Family}' (allowed: {string.Join(", ", allowed)})");
            return allowed[^1];
        }
        return b;
    }

    public int Int(string key, int fallback, int min, int max)
    {
        if (!_options.TryGetValue(key, out string? s))
        {
            return fallback;
        }
        _used.Add(key);
        if (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v) || v < min || v > max)
        {
            Errors.Add($"option {key}='{s}' must be an integer from {min} to {max}");
            return fallback;
        }
        return v;
    }

    public int Choice(string key, int fallback, IReadOnlyList<int> allowed)
    {
        if (!_options.TryGetValue(key, out string? s))
        {
            return fallback;
        }
        _used.Add(key);
        if (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v) || !allowed.Contains(v))
        {
            Errors.Add($"option {key}='{s}' not allowed (allowed: {string.Join(", ", allowed)})");
            return fallback;
        }
        return v;
    }

    public string Word(string key, string fallback, IReadOnlyList<string> allowed)
    {
        if (!_options.TryGetValue(key, out string? s))
        {
            return fallback;
        }
        _used.Add(key);
        if (!allowed.Contains(s))
        {
            Errors.Add($"option {key}='{s}' not allowed (allowed: {string.Join(", ", allowed)})");
            return fallback;
        }
        return s;
    }

    public bool Flag(string key, bool fallback) => Word(key, fallback ? "1" : "0", ["0", "1"]) == "1";

    /// <summary>"N@B": the first N layers at B bits (e.g. base=3@4).</summary>
    public (int Layers, int Bits)? LayersAtBits(string key, (int, int)? fallback)
    {
        if (!_options.TryGetValue(key, out string? s))
        {
            return fallback;
        }
        _used.Add(key);
        string[] parts = s.Split('@');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 0 && n <= 100_000
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int b) && (QuantBits.Contains(b) || b == 16))
        {
            return (n, b);
        }
        Errors.Add($"option {key}='{s}' must be LAYERS@BITS, e.g. {key}=3@4 (bits: 2, 3, 4, 8, 16)");
        return fallback;
    }

    public QuantAxis Axis(string key, QuantAxis fallback)
    {
        string w = Word(key, fallback == QuantAxis.PerToken ? "token" : "channel", ["token", "channel"]);
        return w == "token" ? QuantAxis.PerToken : QuantAxis.PerChannel;
    }

    public DType DType(string key, DType fallback, IReadOnlyList<DType> allowed)
    {
        string w = Word(key, fallback.Name(), allowed.Select(d => d.Name()).ToList());
        return DTypes.TryParse(w, out var t) ? t : fallback;
    }

    /// <summary>Scale and zero-point dtype: bytes of one group's metadata.</summary>
    public int MetadataBytes() => Word("meta", "fp16", ["fp16", "bf16", "fp32"]) == "fp32" ? 8 : 4;

    public RematMode Remat(RematMode fallback)
    {
        string w = Word("remat", RematName(fallback), ["fused", "unfused", "vabsorb"]);
        return w switch
        {
            "unfused" => RematMode.Unfused,
            "vabsorb" => RematMode.VAbsorbed,
            _ => RematMode.Fused,
        };
    }

    public static string RematName(RematMode m) => m switch
    {
        RematMode.Unfused => "unfused",
        RematMode.VAbsorbed => "vabsorb",
        _ => "fused",
    };

    /// <summary>Reports options no accessor asked for; call after reading.</summary>
    public void RejectUnknown(params string[] allowedKeys)
    {
        foreach (string key in _options.Keys.Order(StringComparer.Ordinal))
        {
            if (!_used.Contains(key))
            {
                Errors.Add($"unknown option '{key}' for '{Family}' (allowed: {string.Join(", ", allowedKeys)})");
            }
        }
    }
}
