using System.Text.Json.Nodes;
using XQuant.Sim.Domain.Memory;

namespace XQuant.Sim.Rendering.Json;

/// <summary>xqsim memory --json: exact cache bytes per scheme, the same rows the table and CSV show.</summary>
public static class MemoryJson
{
    public static JsonObject Document(IReadOnlyList<MemoryRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var doc = JsonDoc.Start("memory");
        doc["rows"] = new JsonArray([.. rows.Select(Row)]);
        return doc;
    }

    private static JsonNode Row(MemoryRow r)
    {
        var o = new JsonObject
        {
            ["model"] = r.Model.Id,
            ["scheme"] = r.Scheme.Spec,
            ["batch"] = JsonDoc.Num(r.Batch),
            ["context_tokens"] = JsonDoc.Num(r.ContextTokens),
            ["bytes_per_token"] = JsonDoc.Num(r.PaperBytesPerToken),
            ["normalized_size"] = JsonDoc.Num(r.NormalizedSize),
            ["savings_exact_x"] = JsonDoc.Num(r.SavingsExact),
            ["savings_paper_x"] = JsonDoc.Num(r.SavingsPaper),
        };
        foreach (var (key, value) in CaseJson.Breakdown(r.Total).ToList())
        {
            o[key] = value?.DeepClone();
        }
        o["layout"] = r.LayoutDescription;
        o["warnings"] = JsonDoc.Strings(r.Warnings);
        return o;
    }
}
