using System.Text.Json.Nodes;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Planning;

namespace XQuant.Sim.Rendering.Json;

/// <summary>xqsim breakeven --json: the three answers with the inputs of their formulas; infinite answers are null.</summary>
public static class BreakEvenJson
{
    public static JsonObject Document(BreakEvenResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var w = r.Workload;
        var doc = JsonDoc.Start("breakeven");
        doc["model"] = w.Model.Id;
        doc["hardware"] = w.Hardware.Id;
        doc["provenance"] = w.Hardware.Provenance.Name();
        doc["scheme"] = w.Scheme.Spec;
        doc["versus"] = r.Versus.Scheme.Spec;
        doc["weights"] = w.Weights.Name();
        doc["batch"] = JsonDoc.Num(w.Batch);
        doc["context_tokens"] = JsonDoc.Num(w.ContextTokens);
        doc["step_time_form"] = "overlapped";
        doc["hide"] = new JsonObject
        {
            ["context_tokens_ledger"] = JsonDoc.Num(r.HideContextTokens),
            ["context_tokens_closed_form"] = JsonDoc.Num(r.HideContextClosedForm),
            ["formula"] = "l* = W_layer x ridge / (b x F_remat)",
            ["weight_bytes_per_layer"] = JsonDoc.Num(r.WeightBytesPerLayer),
            ["remat_flops_per_token_per_layer"] = JsonDoc.Num(r.RematFlopsPerTokenPerLayer),
            ["context_limit_tokens"] = JsonDoc.Num(BreakEven.ContextLimit),
        };
        doc["context_crossovers"] = Crossings(r.Crossovers);
        doc["batch_crossovers"] = Crossings(r.BatchCrossovers);
        doc["scheme_step_sec"] = JsonDoc.Num(r.SchemeStepSec);
        doc["versus_step_sec"] = JsonDoc.Num(r.VersusStepSec);
        doc["ridge"] = new JsonObject
        {
            ["needed_flop_per_byte"] = JsonDoc.Num(r.RidgeNeededFlopsPerByte),
            ["device_flop_per_byte"] = JsonDoc.Num(r.DeviceRidgeFlopsPerByte),
            ["formula"] = "R_needed = F_scheme / B_versus",
            ["enough"] = r.DeviceRidgeFlopsPerByte >= r.RidgeNeededFlopsPerByte,
        };
        if (w.Speculation is { } spec)
        {
            // Under speculation every time above is per token ((verify + draft) / E), as the text output says.
            doc["speculation"] = new JsonObject
            {
                ["spec"] = spec.Spec,
                ["draft_tokens"] = spec.DraftTokens,
                ["acceptance_rate"] = JsonDoc.Num(spec.AcceptanceRate),
                ["expected_tokens_per_step"] = JsonDoc.Num(spec.ExpectedTokensPerStep),
                ["times"] = "per token: (verify step + draft steps) / expected_tokens_per_step",
                ["versus_plain_crossovers"] = Crossings(r.SpecCrossovers ?? []),
            };
        }
        return doc;
    }

    public static JsonArray Crossings(IReadOnlyList<Crossover> list)
    {
        ArgumentNullException.ThrowIfNull(list);
        return new JsonArray([.. list.Select(c => (JsonNode?)new JsonObject
        {
            ["axis"] = c.Axis == CrossoverAxis.Batch ? "batch" : "context_tokens",
            ["at"] = JsonDoc.Num(c.At),
            ["scheme_faster_below"] = c.SchemeFasterBelow,
        })]);
    }
}
