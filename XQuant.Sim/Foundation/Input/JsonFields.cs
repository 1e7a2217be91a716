using System.Globalization;
using System.Text;
using System.Text.Json;

namespace XQuant.Sim.Foundation.Input;

/// <summary>
/// Reads fields of one JSON object and collects every problem instead of stopping at the first, so a user
/// sees all mistakes in a file at once. Field paths are dotted (<c>dram.bandwidth_bytes_per_sec</c>).
/// </summary>
public sealed class JsonFields
{
    private readonly JsonElement _element;
    private readonly string _prefix;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public JsonFields(string source, JsonElement element, List<InputError> errors, string prefix = "")
    {
        Source = source;
        _element = element;
        Errors = errors;
        _prefix = prefix;
    }

    public string Source { get; }
    public List<InputError> Errors { get; }

    public bool IsObject => _element.ValueKind == JsonValueKind.Object;

    public string PathOf(string key) => _prefix.Length == 0 ? key : $"{_prefix}.{key}";

    public void Error(string key, string message) => Errors.Add(new InputError(Source, PathOf(key), message));

    /// <summary>Parses a whole file; on failure records one error and returns null. Never throws for bad content.</summary>
    public static JsonDocument? ParseFile(string path, List<InputError> errors)
    {
        if (Directory.Exists(path))
        {
            errors.Add(new InputError(path, "", "is a directory, expected a JSON file"));
            return null;
        }
        if (InputFiles.Problem(path, InputFiles.MaxJsonBytes) is { } problem)
        {
            errors.Add(new InputError(path, "", problem));
            return null;
        }
        byte[] bytes;
        try
        {
            bytes = InputFiles.ReadSmall(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(new InputError(path, "", $"cannot be read ({e.Message})"));
            return null;
        }
        return ParseBytes(path, bytes, errors);
    }

    public static JsonDocument? ParseBytes(string source, byte[] bytes, List<InputError> errors)
    {
        if (bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF)
        {
            bytes = bytes[3..];
        }
        if (bytes.Length == 0)
        {
            errors.Add(new InputError(source, "", "file is empty, expected a JSON object"));
            return null;
        }
        try
        {
            _ = new UTF8Encoding(false, true).GetCharCount(bytes);
        }
        catch (DecoderFallbackException)
        {
            errors.Add(new InputError(source, "", "is not valid UTF-8 text"));
            return null;
        }
        try
        {
            var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions
            {
                AllowTrailingCommas = false,
                CommentHandling = JsonCommentHandling.Skip,
                MaxDepth = 32,
            });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new InputError(source, "", $"top level is {Describe(doc.RootElement)}, expected a JSON object"));
                doc.Dispose();
                return null;
            }
            string? duplicate = FindDuplicateKey(doc.RootElement, "");
            if (duplicate is not null)
            {
                errors.Add(new InputError(source, duplicate, "key appears more than once"));
                doc.Dispose();
                return null;
            }
            return doc;
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is long line ? $" at line {line + 1}, byte {e.BytePositionInLine + 1}" : "";
            errors.Add(new InputError(source, "", $"is not valid JSON{where}"));
            return null;
        }
    }

    private static string? FindDuplicateKey(JsonElement element, string prefix)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject())
            {
                string path = prefix.Length == 0 ? property.Name : $"{prefix}.{property.Name}";
                if (!seen.Add(property.Name))
                {
                    return path;
                }
                string? inner = FindDuplicateKey(property.Value, path);
                if (inner is not null)
                {
                    return inner;
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (var item in element.EnumerateArray())
            {
                string? inner = FindDuplicateKey(item, $"{prefix}[{i++}]");
                if (inner is not null)
                {
                    return inner;
                }
            }
        }
        return null;
    }

    public static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private bool TryGet(string key, out JsonElement value)
    {
        _read.Add(key);
        if (_element.ValueKind == JsonValueKind.Object && _element.TryGetProperty(key, out value))
        {
            return true;
        }
        value = default;
        return false;
    }

    public bool Has(string key) =>
        _element.ValueKind == JsonValueKind.Object && _element.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null;

    /// <summary>Marks keys that are allowed but not read by this type (e.g. "$schema").</summary>
    public void Allow(params string[] keys)
    {
        foreach (string key in keys)
        {
            _read.Add(key);
        }
    }

    /// <summary>Reports keys this reader never asked for; call last.</summary>
    public void RejectUnknownKeys()
    {
        if (_element.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        var allowed = _read.OrderBy(k => k, StringComparer.Ordinal).ToList();
        foreach (var property in _element.EnumerateObject())
        {
            if (!_read.Contains(property.Name))
            {
                Error(property.Name, $"unknown key (allowed: {string.Join(", ", allowed)})");
            }
        }
    }

    public string? OptionalString(string key)
    {
        if (!TryGet(key, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (v.ValueKind != JsonValueKind.String)
        {
            Error(key, $"is {Describe(v)}, expected a string");
            return null;
        }
        return v.GetString();
    }

    public string RequiredString(string key)
    {
        if (!Has(key))
        {
            _read.Add(key);
            Error(key, "is missing (a string is required)");
            return "";
        }
        string? s = OptionalString(key);
        if (s is not null && string.IsNullOrWhiteSpace(s))
        {
            Error(key, "is empty");
        }
        return s ?? "";
    }

    public string RequiredEnum(string key, IReadOnlyCollection<string> allowed)
    {
        string s = RequiredString(key);
        if (s.Length > 0 && !allowed.Contains(s))
        {
            Error(key, $"'{Truncate(s)}' is not allowed (allowed: {string.Join(", ", allowed)})");
            return "";
        }
        return s;
    }

    public double? OptionalNumber(string key, double exclusiveMin = double.NegativeInfinity, double max = double.MaxValue)
    {
        if (!TryGet(key, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return ReadNumber(key, v, exclusiveMin, max);
    }

    public double RequiredNumber(string key, double exclusiveMin = double.NegativeInfinity, double max = double.MaxValue)
    {
        if (!Has(key))
        {
            _read.Add(key);
            Error(key, "is missing (a number is required)");
            return double.NaN;
        }
        return OptionalNumber(key, exclusiveMin, max) ?? double.NaN;
    }

    private double? ReadNumber(string key, JsonElement v, double exclusiveMin, double max)
    {
        if (v.ValueKind != JsonValueKind.Number)
        {
            Error(key, $"is {Describe(v)}, expected a number");
            return null;
        }
        if (!v.TryGetDouble(out double d) || !double.IsFinite(d))
        {
            Error(key, "is not a finite number");
            return null;
        }
        if (d <= exclusiveMin)
        {
            Error(key, $"is {Format(d)}, must be greater than {Format(exclusiveMin)}");
            return null;
        }
        if (d > max)
        {
            Error(key, $"is {Format(d)}, must be at most {Format(max)}");
            return null;
        }
        return d;
    }

    public long? OptionalInteger(string key, long min = long.MinValue, long max = long.MaxValue)
    {
        if (!TryGet(key, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return ReadInteger(key, v, min, max);
    }

    public long RequiredInteger(string key, long min = long.MinValue, long max = long.MaxValue)
    {
        if (!Has(key))
        {
            _read.Add(key);
            Error(key, "is missing (an integer is required)");
            return 0;
        }
        return OptionalInteger(key, min, max) ?? 0;
    }

    private long? ReadInteger(string key, JsonElement v, long min, long max)
    {
        if (v.ValueKind != JsonValueKind.Number)
        {
            Error(key, $"is {Describe(v)}, expected an integer");
            return null;
        }
        if (!v.TryGetInt64(out long n))
        {
            // 4096.0 is a valid integer in a config.json written by Python.
            if (v.TryGetDouble(out double d) && double.IsFinite(d) && Math.Floor(d) == d && Math.Abs(d) < 9e15)
            {
                n = (long)d;
            }
            else
            {
                Error(key, $"'{Truncate(v.GetRawText())}' is not an integer");
                return null;
            }
        }
        if (n < min || n > max)
        {
            Error(key, $"is {n.ToString(CultureInfo.InvariantCulture)}, allowed {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
            return null;
        }
        return n;
    }

    public bool? OptionalBool(string key)
    {
        if (!TryGet(key, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Error(key, $"is {Describe(v)}, expected true or false");
            return null;
        }
        return v.GetBoolean();
    }

    /// <summary>A nested object, or null (with an error when required). The child shares this error list.</summary>
    public JsonFields? Object(string key, bool required)
    {
        if (!TryGet(key, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Error(key, "is missing (an object is required)");
            }
            return null;
        }
        if (v.ValueKind != JsonValueKind.Object)
        {
            Error(key, $"is {Describe(v)}, expected an object");
            return null;
        }
        return new JsonFields(Source, v, Errors, PathOf(key));
    }

    /// <summary>An array's elements, or null (with an error when required or of the wrong type).</summary>
    public IReadOnlyList<JsonElement>? Array(string key, bool required)
    {
        if (!TryGet(key, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Error(key, "is missing (an array is required)");
            }
            return null;
        }
        if (v.ValueKind != JsonValueKind.Array)
        {
            Error(key, $"is {Describe(v)}, expected an array");
            return null;
        }
        var items = v.EnumerateArray().ToList();
        if (required && items.Count == 0)
        {
            Error(key, "is empty, expected at least one element");
        }
        return items;
    }

    public IEnumerable<(string Name, JsonElement Value)> Properties()
    {
        if (_element.ValueKind != JsonValueKind.Object)
        {
            yield break;
        }
        foreach (var p in _element.EnumerateObject())
        {
            _read.Add(p.Name);
            yield return (p.Name, p.Value);
        }
    }

    public static string Format(double d) => d.ToString("G6", CultureInfo.InvariantCulture);

    public static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "...";
}
