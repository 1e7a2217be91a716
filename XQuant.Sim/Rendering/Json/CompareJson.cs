using System.Text.Json.Nodes;
using XQuant.Sim.Studies.Comparison;

namespace XQuant.Sim.Rendering.Json;

/// <summary>
/// xqsim compare --json: the table cases (with their ledgers), the sweep cases behind the charts (totals only) and
/// the break-even answers, all from the one <see cref="CompareResult"/> the report renders.
/// </summary>
public static class CompareJson
{
    public static JsonObject Document(CompareResult r, bool withOps = true)
    {
        ArgumentNullException.ThrowIfNull(r);
        var doc = JsonDoc.Start("compare");
        doc["model"] = r.Request.Model.Id;
        doc["hardware"] = new JsonArray([.. r.Request.Hardware.Select(h => (JsonNode?)HardwareJson.Roofs(h))]);
        doc["focus_batch"] = JsonDoc.Num(r.FocusBatch);
        doc["focus_context_tokens"] = JsonDoc.Num(r.FocusContextTokens);
        doc["cases"] = new JsonArray([.. r.Cases.Select(c => (JsonNode?)CaseJson.Case(c, withOps))]);
        var tableCases = r.Cases.ToHashSet();
        doc["sweep_cases"] = new JsonArray([.. r.ChartCases.Where(c => !tableCases.Contains(c)).Select(c => (JsonNode?)CaseJson.Case(c, withOps: false))]);
        doc["break_evens"] = new JsonArray([.. r.BreakEvens.Select(b => (JsonNode?)new JsonObject
        {
            ["hardware"] = b.Hardware,
            ["scheme"] = b.Scheme,
            ["versus"] = b.Versus,
            ["batch"] = JsonDoc.Num(b.Batch),
            ["hide_context_tokens"] = JsonDoc.Num(b.HideContextTokens),
            ["context_crossovers"] = BreakEvenJson.Crossings(b.Crossovers),
        })]);
        return doc;
    }
}
