using System.Text.Json.Nodes;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Studies.Serving;

namespace XQuant.Sim.Rendering.Json;

/// <summary>xqsim simulate --json: per scheme the cache pool, each run's summary (latencies in seconds) and the max-rate search.</summary>
public static class SimulateJson
{
    public static JsonObject Document(ServingStudyResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var plan = r.Plan;
        var w = plan.Template;
        var doc = JsonDoc.Start("simulate");
        doc["model"] = w.Model.Id;
        doc["hardware"] = w.Hardware.Id;
        doc["provenance"] = w.Hardware.Provenance.Name();
        doc["weights"] = w.Weights.Name();
        doc["step_time_form"] = plan.Overlapped ? "overlapped" : "serial";
        if (!w.Plan.IsSingle)
        {
            // Only on a multi-device plan, so a single-device document stays as it was.
            doc["deployment"] = new JsonObject
            {
                ["tp"] = w.Plan.TensorParallel,
                ["pp"] = w.Plan.PipelineParallel,
                ["micro_batches"] = w.Plan.PipelineParallel > 1 ? w.Plan.MicroBatchCount : 1,
                ["devices"] = w.Plan.Devices,
                ["link"] = w.Plan.Link?.Describe(),
                ["link_latency_is_default"] = w.Plan.Link?.LatencyIsDefault,
            };
        }
        if (w.Speculation is { } spec)
        {
            // Only under speculation, so a document without it stays as it was.
            doc["speculation"] = new JsonObject
            {
                ["k"] = spec.DraftTokens,
                ["accept"] = JsonDoc.Num(spec.AcceptanceRate),
                ["expected_tokens_per_step"] = JsonDoc.Num(spec.ExpectedTokensPerStep),
                ["drafter"] = spec.Drafter.ToString().ToLowerInvariant(),
                ["draft_model"] = spec.DraftModel?.Id,
                ["accept_seed"] = plan.Arrivals.Seed,
            };
        }
        doc["percentile"] = plan.Percentile;
        doc["slo"] = Slo(plan.Slo);
        doc["schemes"] = new JsonArray([.. r.Schemes.Select(s => (JsonNode?)Scheme(s, w.Speculation is not null))]);
        return doc;
    }

    private static JsonObject Slo(Slo s) => new()
    {
        ["ttft_sec"] = s.TtftSec is double a ? JsonDoc.Num(a) : null,
        ["tpot_sec"] = s.TpotSec is double b ? JsonDoc.Num(b) : null,
        ["e2e_sec"] = s.E2eSec is double c ? JsonDoc.Num(c) : null,
    };

    private static JsonObject Scheme(SchemeServing s, bool speculation)
    {
        var o = Scheme(s);
        if (speculation)
        {
            var pool = (JsonObject)o["pool"]!;
            pool["draft_weight_bytes"] = JsonDoc.Num(s.Pool.DraftWeightBytes);
            pool["draft_bytes_per_token"] = JsonDoc.Num(s.Pool.DraftBytesPerToken);
            var runs = (JsonArray)o["runs"]!;
            for (int i = 0; i < s.Runs.Count; i++)
            {
                var result = s.Runs[i].Result;
                runs[i]!["speculation"] = new JsonObject
                {
                    ["verify_steps"] = result.VerifySteps,
                    ["tokens_per_verify_step"] = JsonDoc.Num(result.TokensPerVerifyStep),
                    ["draft_sec"] = JsonDoc.Num(result.DraftSec),
                };
            }
        }
        return o;
    }

    private static JsonObject Scheme(SchemeServing s) => new()
    {
        ["scheme"] = s.Scheme,
        ["pool"] = new JsonObject
        {
            ["device_bytes"] = JsonDoc.Num(s.Pool.DeviceBytes),
            ["reserve_bytes"] = JsonDoc.Num(s.Pool.ReserveBytes),
            ["weight_bytes"] = JsonDoc.Num(s.Pool.WeightBytes),
            ["activation_bytes"] = JsonDoc.Num(s.Pool.ActivationBytes),
            ["block_tokens"] = s.Pool.BlockTokens,
            ["block_bytes"] = JsonDoc.Num(s.Pool.BlockBytes),
            ["bytes_per_token"] = JsonDoc.Num(s.Pool.BytesPerToken),
            ["total_blocks"] = s.Pool.TotalBlocks,
            ["pool_bytes"] = JsonDoc.Num(s.Pool.PoolBytes),
            ["pool_tokens"] = JsonDoc.Num(s.Pool.TotalBlocks * (double)s.Pool.BlockTokens),
        },
        ["runs"] = new JsonArray([.. s.Runs.Select(run => (JsonNode?)new JsonObject
        {
            ["arrivals"] = run.Arrivals,
            ["rate_req_per_sec"] = run.RatePerSec is double rate ? JsonDoc.Num(rate) : null,
            ["summary"] = Summary(run.Summary),
            ["usd_per_million_output_tokens"] = run.CostEnergy.DollarsPerMillionOutputTokens is double d ? JsonDoc.Num(d) : null,
            ["joules_per_output_token"] = run.CostEnergy.JoulesPerOutputToken is double j ? JsonDoc.Num(j) : null,
            ["price_usd_per_device_hour"] = run.CostEnergy.PricePerDeviceHour is double p ? JsonDoc.Num(p) : null,
            ["price_source"] = run.CostEnergy.PriceSource,
        })]),
        ["max_rate"] = s.MaxRate is not { } m ? null : new JsonObject
        {
            ["rate_req_per_sec"] = JsonDoc.Num(m.RatePerSec),
            ["percentile"] = m.Percentile,
            ["capacity_rate_req_per_sec"] = JsonDoc.Num(m.CapacityRatePerSec),
            ["capacity_bound"] = m.CapacityBound,
            ["probes"] = new JsonArray([.. m.Probes.Select(p => (JsonNode?)new JsonObject
            {
                ["rate_req_per_sec"] = JsonDoc.Num(p.RatePerSec),
                ["passed"] = p.Passed,
            })]),
        },
    };

    private static JsonObject Summary(ServingSummary s) => new()
    {
        ["requests"] = s.Requests,
        ["completed"] = s.Completed,
        ["skipped"] = s.Skipped,
        ["duration_sec"] = JsonDoc.Num(s.DurationSec),
        ["req_per_sec"] = JsonDoc.Num(s.RequestsPerSec),
        ["output_tokens_per_sec"] = JsonDoc.Num(s.OutputTokensPerSec),
        ["total_tokens_per_sec"] = JsonDoc.Num(s.TotalTokensPerSec),
        ["goodput_req_per_sec"] = JsonDoc.Num(s.GoodputRequestsPerSec),
        ["slo_attainment"] = JsonDoc.Num(s.SloAttainment),
        ["ttft_sec"] = Dist(s.TtftSec),
        ["tpot_sec"] = Dist(s.TpotSec),
        ["itl_sec"] = Dist(s.ItlSec),
        ["e2e_sec"] = Dist(s.E2eSec),
        ["preemptions"] = s.Preemptions,
        ["iterations"] = s.Iterations,
        ["busy_fraction"] = JsonDoc.Num(s.BusyFraction),
        ["peak_pool_fraction"] = JsonDoc.Num(s.PeakPoolFraction),
        ["mean_running_tokens"] = JsonDoc.Num(s.MeanRunningTokens),
    };

    private static JsonObject Dist(Distribution d) => new()
    {
        ["count"] = d.Count,
        ["mean"] = JsonDoc.Num(d.Mean),
        ["p50"] = JsonDoc.Num(d.P50),
        ["p90"] = JsonDoc.Num(d.P90),
        ["p99"] = JsonDoc.Num(d.P99),
    };
}
