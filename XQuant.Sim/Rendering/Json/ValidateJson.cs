using System.Text.Json.Nodes;
using XQuant.Sim.Rendering.Reports;
using XQuant.Sim.Studies.Measurement;

namespace XQuant.Sim.Rendering.Json;

/// <summary>
/// xqsim validate --json (schemas/validate.schema.json): the same rows as summary.csv, kernels.csv, steps.csv and
/// roofline-points.csv, from the same run. Seconds, bytes and FLOPs are SI; errors are signed fractions
/// (predicted - measured) / measured where the CSVs print percent to one decimal; null where a value is missing
/// (no interleaved tier, an empty class).
/// </summary>
public static class ValidateJson
{
    public static JsonObject Document(ValidationResult r, string device, string calibrationPath, string outputFolder, string loadBefore, string loadAfter, string date)
    {
        ArgumentNullException.ThrowIfNull(r);
        var doc = JsonDoc.Start("validate");
        doc["date"] = date;
        doc["device"] = device;
        doc["calibration"] = new JsonObject
        {
            ["path"] = calibrationPath,
            ["date"] = r.Calibrated.Calibration?.Date,
            ["device"] = r.Calibrated.Calibration?.Device,
        };
        doc["hardware"] = HardwareJson.Roofs(r.Calibrated);
        doc["load_average"] = new JsonObject { ["before"] = loadBefore, ["after"] = loadAfter };
        doc["output_folder"] = outputFolder;
        doc["summary"] = new JsonArray([.. ValidationReport.Summary(r).Select(Summary)]);
        doc["kernels"] = new JsonArray([.. r.Kernels.Select(Kernel)]);
        doc["steps"] = new JsonArray([.. r.Steps.Select(Step)]);
        doc["roofline_points"] = new JsonArray([.. ValidationReport.Points(r).Select(p => (JsonNode)new JsonObject
        {
            ["point"] = p.Name,
            ["flops"] = JsonDoc.Num(p.Flops),
            ["dram_bytes"] = JsonDoc.Num(p.Bytes),
            ["measured_sec"] = JsonDoc.Num(p.Sec),
            ["intensity_flop_per_byte"] = JsonDoc.Num(p.Bytes > 0 ? p.Flops / p.Bytes : double.NaN),
            ["achieved_flop_per_sec"] = JsonDoc.Num(p.Flops / p.Sec),
        })]);
        doc["notes"] = JsonDoc.Strings(r.Notes ?? []);
        return doc;
    }

    private static JsonNode Summary(SummaryRow s) => new JsonObject
    {
        ["scope"] = s.Scope,
        ["tier"] = s.Tier,
        ["points"] = s.Stats.Count,
        ["mean_error_fraction"] = JsonDoc.Num(s.Stats.MeanSigned),
        ["median_error_fraction"] = JsonDoc.Num(s.Stats.MedianSigned),
        ["median_abs_error_fraction"] = JsonDoc.Num(s.Stats.MedianAbs),
        ["p90_abs_error_fraction"] = JsonDoc.Num(s.Stats.P90Abs),
        ["worst_error_fraction"] = JsonDoc.Num(s.Stats.WorstSigned),
    };

    private static JsonNode Kernel(KernelPoint k) => Predictions(new JsonObject
    {
        ["kernel"] = k.Case.Kernel,
        ["class"] = k.Case.Class,
        ["shape"] = k.Case.Shape,
        ["flops"] = JsonDoc.Num(k.Case.Flops),
        ["dram_bytes"] = JsonDoc.Num(k.Case.DramBytes),
    }, k.MeasuredSec, k.Spread, k.PredictedSolSec, k.PredictedSec, k.PredictedInterleavedSec);

    /// <summary>The measured time and the three tiers' predictions with their signed errors (kernels and steps alike).</summary>
    private static JsonObject Predictions(JsonObject o, double measured, double spread, double sol, double predicted, double? interleaved)
    {
        o["measured_sec"] = JsonDoc.Num(measured);
        o["spread_fraction"] = JsonDoc.Num(spread);
        o["predicted_sol_sec"] = JsonDoc.Num(sol);
        o["predicted_sec"] = JsonDoc.Num(predicted);
        o["predicted_interleaved_sec"] = interleaved is double v ? JsonDoc.Num(v) : null;
        o["error_sol_fraction"] = JsonDoc.Num(ErrorStats.SignedError(sol, measured));
        o["error_fraction"] = JsonDoc.Num(ErrorStats.SignedError(predicted, measured));
        o["error_interleaved_fraction"] = interleaved is double w ? JsonDoc.Num(ErrorStats.SignedError(w, measured)) : null;
        return o;
    }

    private static JsonNode Step(StepPoint s)
    {
        var byClass = new JsonObject();
        foreach (string c in EngineBench.Classes)
        {
            byClass[c] = new JsonObject
            {
                ["measured_sec"] = JsonDoc.Num(s.MeasuredByClass[c]),
                ["predicted_sec"] = JsonDoc.Num(s.PredictedByClass[c]),
            };
        }
        var o = Predictions(new JsonObject
        {
            ["scheme"] = s.Scheme,
            ["context_tokens"] = s.Context,
        }, s.MeasuredSec, s.Spread, s.PredictedSolSec, s.PredictedSec, s.PredictedInterleavedSec);
        o["by_class"] = byClass;
        o["flops"] = JsonDoc.Num(s.Flops);
        o["dram_bytes"] = JsonDoc.Num(s.DramBytes);
        o["cache_bytes_engine"] = s.EngineCacheBytes;
        o["cache_bytes_accounting"] = JsonDoc.Num(s.AccountedCacheBytes);
        o["cache_bytes_equal"] = s.EngineCacheBytes == s.AccountedCacheBytes;
        o["logit_rel_err_vs_fp16"] = JsonDoc.Num(s.LogitErrorVsFp16);
        return o;
    }
}
