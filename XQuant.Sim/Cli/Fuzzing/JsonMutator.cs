using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace XQuant.Sim.Cli.Fuzzing;

/// <summary>
/// Breaks a valid JSON document in the ways users and tools do: wrong types, out-of-range and non-finite numbers,
/// missing and unknown and duplicate keys, truncation, deep nesting, invalid UTF-8, empty files.
/// </summary>
public static class JsonMutator
{
    private static readonly string[] Mutations =
    [
        "string-for-value", "negative", "zero", "huge", "tiny", "fraction", "bool", "null", "array", "object",
        "delete-key", "unknown-key", "duplicate-key", "truncate", "deep-nesting", "invalid-utf8", "empty",
        "nan-literal", "infinity-literal", "wrong-top-level", "byte-flip",
    ];

    /// <summary>Returns the mutated bytes, a name for the mutation, and the dotted path of the field it changed (or null).</summary>
    public static (byte[] Bytes, string Mutation, string? Field) Mutate(string validJson, Random rng)
    {
        string mutation = Mutations[rng.Next(Mutations.Length)];
        var root = JsonNode.Parse(validJson)!.AsObject();
        var leaves = new List<(JsonNode Parent, string? Key, int Index, string Path)>();
        Collect(root, "", leaves);
        var (parent, key, index, path) = leaves[rng.Next(leaves.Count)];
        JsonNode? replacement = mutation switch
        {
            "string-for-value" => JsonValue.Create("not-a-number"),
            "negative" => JsonValue.Create(-rng.Next(1, 1000)),
            "zero" => JsonValue.Create(0),
            "huge" => JsonValue.Create(1e300),
            "tiny" => JsonValue.Create(1e-300),
            "fraction" => JsonValue.Create(0.5),
            "bool" => JsonValue.Create(true),
            "null" => null,
            "array" => new JsonArray(1, 2),
            "object" => new JsonObject { ["x"] = 1 },
            _ => JsonValue.Create(0),
        };
        switch (mutation)
        {
            case "delete-key":
                if (parent is JsonObject o && key is not null)
                {
                    o.Remove(key);
                    return (Utf8(root), mutation, path);
                }
                ((JsonArray)parent).RemoveAt(index);
                return (Utf8(root), mutation, path);
            case "unknown-key":
                root["zz_unknown_key"] = 1;
                return (Utf8(root), mutation, "zz_unknown_key");
            case "duplicate-key":
                {
                    string text = root.ToJsonString();
                    string first = root.First().Key;
                    string dup = "{" + JsonSerializer.Serialize(first) + ":" + root[first]!.ToJsonString() + "," + text[1..];
                    return (Encoding.UTF8.GetBytes(dup), mutation, first);
                }
            case "truncate":
                {
                    byte[] all = Utf8(root);
                    return (all[..rng.Next(0, all.Length - 1)], mutation, null);
                }
            case "deep-nesting":
                return (Encoding.UTF8.GetBytes(new string('[', 200) + new string(']', 200)), mutation, null);
            case "invalid-utf8":
                {
                    byte[] all = Utf8(root);
                    int at = rng.Next(1, all.Length - 1);
                    return ([.. all[..at], 0xFF, 0xFE, 0xC3, .. all[at..]], mutation, null);
                }
            case "empty":
                return ([], mutation, null);
            case "nan-literal":
            case "infinity-literal":
                {
                    string literal = mutation == "nan-literal" ? "NaN" : "Infinity";
                    Set(parent, key, index, JsonValue.Create(123456789));
                    string text = root.ToJsonString().Replace("123456789", literal, StringComparison.Ordinal);
                    return (Encoding.UTF8.GetBytes(text), mutation, null);
                }
            case "wrong-top-level":
                return (Encoding.UTF8.GetBytes("[" + root.ToJsonString() + "]"), mutation, null);
            case "byte-flip":
                {
                    byte[] all = Utf8(root);
                    for (int i = 0; i < 3; i++)
                    {
                        all[rng.Next(all.Length)] = (byte)rng.Next(32, 127);
                    }
                    return (all, mutation, null);
                }
            default:
                Set(parent, key, index, replacement);
                return (Utf8(root), mutation, path);
        }
    }

    private static void Set(JsonNode parent, string? key, int index, JsonNode? value)
    {
        if (parent is JsonObject o && key is not null)
        {
            o[key] = value;
        }
        else
        {
            ((JsonArray)parent)[index] = value;
        }
    }

    private static byte[] Utf8(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

    private static void Collect(JsonNode node, string path, List<(JsonNode, string?, int, string)> leaves)
    {
        if (node is JsonObject o)
        {
            foreach (var (k, v) in o.ToList())
            {
                string p = path.Length == 0 ? k : $"{path}.{k}";
                leaves.Add((o, k, -1, p));
                if (v is JsonObject or JsonArray)
                {
                    Collect(v, p, leaves);
                }
            }
        }
        else if (node is JsonArray a)
        {
            for (int i = 0; i < a.Count; i++)
            {
                string p = $"{path}[{i}]";
                leaves.Add((a, null, i, p));
                if (a[i] is JsonObject or JsonArray)
                {
                    Collect(a[i]!, p, leaves);
                }
            }
        }
    }
}
