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

    private static JsonNode Kernel(KernelPoint k) => new JsonObject
    {
        ["kernel"] = k.Case.Kernel,
        ["class"] = k.Case.Class,
        ["shape"] = k.Case.Shape,
        ["flops"] = JsonDoc.Num(k.Case.Flops),
        ["dram_bytes"] = JsonDoc.Num(k.Case.DramBytes),
        ["measured_sec"] = JsonDoc.Num(k.MeasuredSec),
        ["spread_fraction"] = JsonDoc.Num(k.Spread),
        ["predicted_sol_sec"] = JsonDoc.Num(k.PredictedSolSec),
        ["predicted_sec"] = JsonDoc.Num(k.PredictedSec),
        ["predicted_interleaved_sec"] = k.PredictedInterleavedSec is double v ? JsonDoc.Num(v) : null,
        ["error_sol_fraction"] = JsonDoc.Num(ErrorStats.SignedError(k.PredictedSolSec, k.MeasuredSec)),
        ["error_fraction"] = JsonDoc.Num(ErrorStats.SignedError(k.PredictedSec, k.MeasuredSec)),
        ["error_interleaved_fraction"] = k.PredictedInterleavedSec is double w ? JsonDoc.Num(ErrorStats.SignedError(w, k.MeasuredSec)) : null,
    };

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
        return new JsonObject
        {
            ["scheme"] = s.Scheme,
            ["context_tokens"] = s.Context,
            ["measured_sec"] = JsonDoc.Num(s.MeasuredSec),
            ["spread_fraction"] = JsonDoc.Num(s.Spread),
            ["predicted_sol_sec"] = JsonDoc.Num(s.PredictedSolSec),
            ["predicted_sec"] = JsonDoc.Num(s.PredictedSec),
            ["predicted_interleaved_sec"] = s.PredictedInterleavedSec is double v ? JsonDoc.Num(v) : null,
            ["error_sol_fraction"] = JsonDoc.Num(ErrorStats.SignedError(s.PredictedSolSec, s.MeasuredSec)),
            ["error_fraction"] = JsonDoc.Num(ErrorStats.SignedError(s.PredictedSec, s.MeasuredSec)),
            ["error_interleaved_fraction"] = s.PredictedInterleavedSec is double w ? JsonDoc.Num(ErrorStats.SignedError(w, s.MeasuredSec)) : null,
            ["by_class"] = byClass,
            ["flops"] = JsonDoc.Num(s.Flops),
            ["dram_bytes"] = JsonDoc.Num(s.DramBytes),
            ["cache_bytes_engine"] = s.EngineCacheBytes,
            ["cache_bytes_accounting"] = JsonDoc.Num(s.AccountedCacheBytes),
            ["cache_bytes_equal"] = s.EngineCacheBytes == s.AccountedCacheBytes,
            ["logit_rel_err_vs_fp16"] = JsonDoc.Num(s.LogitErrorVsFp16),
        };
    }
}
