using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace XQuant.Sim.Rendering.Json;

/// <summary>
/// The one way a result becomes JSON: numbers are SI (seconds, bytes, FLOPs) with the unit in the key, written in
/// the shortest form that reads back to the same double; a value JSON cannot hold (NaN, infinity) is null, and the
/// document says so in its key's description in schemas/.
/// </summary>
public static class JsonDoc
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>A number, or null where the double is not finite (JSON has no NaN or infinity).</summary>
    public static JsonNode? Num(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;

    /// <summary>The document's header: which command and which schema version produced it.</summary>
    public static JsonObject Start(string kind) => new()
    {
        ["schema"] = $"xqsim.{kind}.v1",
        ["generator"] = "xqsim",
    };

    public static JsonArray Strings(IEnumerable<string> items) => new([.. items.Select(s => (JsonNode?)JsonValue.Create(s))]);

    public static string Text(JsonNode document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return document.ToJsonString(Options) + "\n";
    }
}
