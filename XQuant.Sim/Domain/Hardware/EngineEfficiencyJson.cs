using System.Globalization;
using System.Text;
using System.Text.Json;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Domain.Hardware;

/// <summary>
/// Reads and writes engine-efficiency files (data/efficiency.json). Reading checks every entry against the
/// parameter bounds and reports all problems at once; writing is a pure string, the caller writes the file atomically.
/// </summary>
public static class EngineEfficiencyJson
{
    public const string Schema = "xqsim-engine-efficiency/1";

    /// <summary>The shipped file, data/efficiency.json, found like the other data folders.</summary>
    public static string DefaultPath => Path.Combine(DataPaths.Find("data"), "efficiency.json");

    public static EngineEfficiencySet Load(string path)
    {
        var errors = new List<InputError>();
        using var doc = JsonFields.ParseFile(path, errors);
        if (doc is null)
        {
            throw new InputException(errors);
        }
        var root = new JsonFields(path, doc.RootElement, errors);
        if (!root.IsObject)
        {
            throw new InputException(path, "", $"is {JsonFields.Describe(doc.RootElement)}, expected a JSON object");
        }
        string schema = root.RequiredString("schema");
        if (schema.Length > 0 && schema != Schema)
        {
            root.Error("schema", $"'{JsonFields.Truncate(schema)}' is not supported (expected {Schema})");
        }
        string method = root.OptionalString("method") ?? "";
        string fittedOn = root.OptionalString("fitted_on") ?? "";
        root.Allow("$schema", "fit");
        var entries = new List<EngineEfficiency>();
        var items = root.Array("engines", required: true) ?? [];
        for (int i = 0; i < items.Count; i++)
        {
            var f = new JsonFields(path, items[i], errors, $"engines[{i.ToString(CultureInfo.InvariantCulture)}]");
            if (!f.IsObject)
            {
                errors.Add(new InputError(path, $"engines[{i.ToString(CultureInfo.InvariantCulture)}]", "expected an object"));
                continue;
            }
            string engine = f.RequiredString("engine");
            string? vendor = f.OptionalString("vendor");
            var values = new double[EngineEfficiency.Bounds.Count];
            for (int k = 0; k < values.Length; k++)
            {
                var b = EngineEfficiency.Bounds[k];
                double v = f.RequiredNumber(b.Name);
                if (double.IsFinite(v) && (v < b.Min || v > b.Max))
                {
                    f.Error(b.Name, $"is {JsonFields.Format(v)}, must be from {JsonFields.Format(b.Min)} to {JsonFields.Format(b.Max)}");
                }
                values[k] = v;
            }
            int rows = (int)(f.OptionalInteger("rows", 0, int.MaxValue) ?? 0);
            f.Allow("in_sample_median_abs_err_pct", "loo_median_abs_err_pct", "note");
            f.RejectUnknownKeys();
            if (entries.Any(e => string.Equals(e.Engine, engine, StringComparison.OrdinalIgnoreCase) && string.Equals(e.Vendor, vendor, StringComparison.OrdinalIgnoreCase)))
            {
                f.Error("engine", $"'{JsonFields.Truncate(engine)}' appears twice for the same vendor");
            }
            entries.Add(EngineEfficiency.FromVector(engine, vendor, values, rows));
        }
        root.RejectUnknownKeys();
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }
        return new EngineEfficiencySet(entries, method, fittedOn, path);
    }

    /// <summary>Per-entry fit statistics written beside the parameters, so the file says how good each entry is.</summary>
    public sealed record EntryStats(double InSampleMedianAbsErrPct, double LooMedianAbsErrPct, string? Note);

    public static string ToJson(EngineEfficiencySet set, IReadOnlyDictionary<string, EntryStats>? stats = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("schema", Schema);
            w.WriteString("method", set.Method);
            w.WriteString("fitted_on", set.FittedOn);
            w.WriteStartArray("engines");
            foreach (var e in set.Entries)
            {
                w.WriteStartObject();
                w.WriteString("engine", e.Engine);
                if (e.Vendor is null)
                {
                    w.WriteNull("vendor");
                }
                else
                {
                    w.WriteString("vendor", e.Vendor);
                }
                var v = e.ToVector();
                for (int k = 0; k < v.Length; k++)
                {
                    w.WriteNumber(EngineEfficiency.Bounds[k].Name, Math.Round(v[k], 9));
                }
                w.WriteNumber("rows", e.Rows);
                if (stats is not null && stats.TryGetValue(e.Label, out var s))
                {
                    WriteFinite(w, "in_sample_median_abs_err_pct", s.InSampleMedianAbsErrPct);
                    WriteFinite(w, "loo_median_abs_err_pct", s.LooMedianAbsErrPct);
                    if (s.Note is not null)
                    {
                        w.WriteString("note", s.Note);
                    }
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteFinite(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v))
        {
            w.WriteNumber(name, Math.Round(v, 2));
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
