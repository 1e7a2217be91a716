using System.Text.Json;

namespace XQuant.Sim.Tests.Explore;

/// <summary>
/// The subset of JSON Schema 2020-12 the --json schemas use (type, const, enum, anyOf, required, properties,
/// additionalProperties, items, $ref into $defs of the same or a sibling file); returns one line per violation.
/// </summary>
internal static class MiniSchema
{
    public static IReadOnlyList<string> Validate(string schemaPath, JsonElement instance)
    {
        var errors = new List<string>();
        using var doc = JsonDocument.Parse(File.ReadAllText(schemaPath));
        Check(Path.GetDirectoryName(schemaPath)!, doc.RootElement, doc.RootElement, instance, "$", errors);
        return errors;
    }

    private static void Check(string dir, JsonElement root, JsonElement schema, JsonElement value, string at, List<string> errors)
    {
        if (schema.TryGetProperty("$ref", out var r))
        {
            string reference = r.GetString()!;
            int hash = reference.IndexOf('#', StringComparison.Ordinal);
            string file = hash < 0 ? reference : reference[..hash];
            string pointer = hash < 0 ? "" : reference[(hash + 1)..];
            if (file.Length > 0)
            {
                using var other = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, file)));
                var target = Resolve(other.RootElement, pointer);
                Check(dir, other.RootElement, target, value, at, errors);
                return;
            }
            Check(dir, root, Resolve(root, pointer), value, at, errors);
            return;
        }
        if (schema.TryGetProperty("anyOf", out var any))
        {
            var branches = any.EnumerateArray().Select(b => { var e = new List<string>(); Check(dir, root, b, value, at, e); return e; }).ToList();
            if (branches.All(b => b.Count > 0))
            {
                errors.Add($"{at}: matches no anyOf branch ({string.Join("; ", branches.Select(b => b[0]))})");
            }
            return;
        }
        if (schema.TryGetProperty("const", out var c) && c.GetRawText() != value.GetRawText())
        {
            errors.Add($"{at}: {value.GetRawText()} is not the constant {c.GetRawText()}");
        }
        if (schema.TryGetProperty("enum", out var e) && !e.EnumerateArray().Any(x => x.GetRawText() == value.GetRawText()))
        {
            errors.Add($"{at}: {value.GetRawText()} is not one of {e.GetRawText()}");
        }
        if (schema.TryGetProperty("type", out var t))
        {
            var allowed = t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Select(x => x.GetString()!).ToList() : [t.GetString()!];
            if (!allowed.Any(a => Is(a, value)))
            {
                errors.Add($"{at}: {value.ValueKind} is not {string.Join("|", allowed)}");
                return;
            }
        }
        if (value.ValueKind == JsonValueKind.Object)
        {
            if (schema.TryGetProperty("required", out var req))
            {
                foreach (var name in req.EnumerateArray().Select(x => x.GetString()!).Where(n => !value.TryGetProperty(n, out _)))
                {
                    errors.Add($"{at}: missing required '{name}'");
                }
            }
            schema.TryGetProperty("properties", out var props);
            schema.TryGetProperty("additionalProperties", out var extra);
            foreach (var p in value.EnumerateObject())
            {
                if (props.ValueKind == JsonValueKind.Object && props.TryGetProperty(p.Name, out var ps))
                {
                    Check(dir, root, ps, p.Value, $"{at}.{p.Name}", errors);
                }
                else if (extra.ValueKind == JsonValueKind.False)
                {
                    errors.Add($"{at}: property '{p.Name}' is not in the schema");
                }
                else if (extra.ValueKind == JsonValueKind.Object)
                {
                    Check(dir, root, extra, p.Value, $"{at}.{p.Name}", errors);
                }
            }
        }
        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            int i = 0;
            foreach (var item in value.EnumerateArray())
            {
                Check(dir, root, items, item, $"{at}[{i++}]", errors);
            }
        }
    }

    private static JsonElement Resolve(JsonElement root, string pointer)
    {
        var node = root;
        foreach (string part in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node.GetProperty(part);
        }
        return node;
    }

    private static bool Is(string type, JsonElement v) => type switch
    {
        "object" => v.ValueKind == JsonValueKind.Object,
        "array" => v.ValueKind == JsonValueKind.Array,
        "string" => v.ValueKind == JsonValueKind.String,
        "number" => v.ValueKind == JsonValueKind.Number,
        "integer" => v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out _),
        "boolean" => v.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => v.ValueKind == JsonValueKind.Null,
        _ => false,
    };
}
