using System.Text.Json.Nodes;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Memory;
using XQuant.Sim.Domain.Planning;

namespace XQuant.Sim.Rendering.Json;

/// <summary>One costed case as JSON: the workload, step totals, capacity and (when asked) the per-operator ledger.</summary>
public static class CaseJson
{
    public static JsonObject Case(CaseResult r, bool withOps)
    {
        ArgumentNullException.ThrowIfNull(r);
        var w = r.Workload;
        bool decode = w.Phase == Phase.Decode;
        var c = r.Capacity;
        var o = new JsonObject
        {
            ["model"] = w.Model.Id,
            ["hardware"] = w.Hardware.Id,
            ["provenance"] = r.Step.Provenance.Name(),
            ["scheme"] = w.Scheme.Spec,
            ["weights"] = w.Weights.Name(),
            ["phase"] = w.Phase.ToString().ToLowerInvariant(),
            ["batch"] = JsonDoc.Num(w.Batch),
            ["context_tokens"] = JsonDoc.Num(w.ContextTokens),
            ["step"] = Step(r.Step),
            ["tokens_per_sec_overlapped"] = decode ? JsonDoc.Num(r.TokensPerSecOverlapped) : null,
            ["tokens_per_sec_serial"] = decode ? JsonDoc.Num(r.TokensPerSecSerial) : null,
            ["cache"] = Breakdown(r.Cache),
            ["normalized_size"] = JsonDoc.Num(r.NormalizedSize),
            ["capacity"] = new JsonObject
            {
                ["device_bytes"] = JsonDoc.Num(c.DeviceBytes),
                ["reserve_bytes"] = JsonDoc.Num(c.ReserveBytes),
                ["weight_bytes"] = JsonDoc.Num(c.WeightBytes),
                ["cache_bytes"] = JsonDoc.Num(c.CacheBytes),
                ["activation_bytes"] = JsonDoc.Num(c.ActivationBytes),
                ["used_bytes"] = JsonDoc.Num(c.UsedBytes),
                ["fits"] = c.Fits,
                ["max_batch_at_context"] = JsonDoc.Num(c.MaxBatchAtContext),
                ["max_context_tokens_at_batch"] = JsonDoc.Num(c.MaxContextAtBatch),
            },
            ["tokens_per_sec_at_max_batch"] = decode && r.OverlappedSecAtMaxBatch is not null ? JsonDoc.Num(r.TokensPerSecAtMaxBatch) : null,
            ["notes"] = JsonDoc.Strings(r.Notes),
        };
        if (r.Speculation is { } sp)
        {
            o["speculation"] = new JsonObject
            {
                ["spec"] = sp.Spec.Spec,
                ["draft_tokens"] = sp.Spec.DraftTokens,
                ["acceptance_rate"] = JsonDoc.Num(sp.Spec.AcceptanceRate),
                ["drafter"] = sp.Spec.Drafter.ToString().ToLowerInvariant(),
                ["expected_tokens"] = JsonDoc.Num(sp.ExpectedTokens),
                ["verify_overlapped_sec"] = JsonDoc.Num(sp.Verify.OverlappedSec),
                ["draft_overlapped_sec"] = JsonDoc.Num(sp.DraftOverlappedSec),
                ["per_token_overlapped_sec"] = JsonDoc.Num(sp.PerTokenOverlappedSec),
                ["per_token_serial_sec"] = JsonDoc.Num(sp.PerTokenSerialSec),
            };
        }
        if (withOps)
        {
            o["ops"] = new JsonArray([.. r.Step.Ops.Select(Op)]);
        }
        return o;
    }

    public static JsonObject Step(StepCost s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new JsonObject
        {
            ["flops"] = JsonDoc.Num(s.Flops),
            ["dram_bytes"] = JsonDoc.Num(s.DramBytes),
            ["onchip_bytes"] = JsonDoc.Num(s.OnChipBytes),
            ["remat_flops"] = JsonDoc.Num(s.FlopsOf(OpKind.Remat)),
            ["compute_sec"] = JsonDoc.Num(s.ComputeSec),
            ["memory_sec"] = JsonDoc.Num(s.MemorySec),
            ["launch_sec"] = JsonDoc.Num(s.LaunchSec),
            ["serial_sec"] = JsonDoc.Num(s.SerialSec),
            ["overlapped_sec"] = JsonDoc.Num(s.OverlappedSec),
            ["bound"] = s.Bound.ToString().ToLowerInvariant(),
            ["intensity_flop_per_byte"] = JsonDoc.Num(s.ArithmeticIntensity),
        };
    }

    public static JsonObject Breakdown(MemoryBreakdown m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return new JsonObject
        {
            ["payload_bytes"] = JsonDoc.Num(m.PayloadBytes),
            ["metadata_bytes"] = JsonDoc.Num(m.MetadataBytes),
            ["window_bytes"] = JsonDoc.Num(m.WindowBytes),
            ["accumulator_bytes"] = JsonDoc.Num(m.AccumulatorBytes),
            ["total_bytes"] = JsonDoc.Num(m.TotalBytes),
        };
    }

    private static JsonNode Op(OpTiming t)
    {
        var bytes = new JsonObject();
        foreach (var c in TensorClasses.All)
        {
            bytes[c.Name() + "_bytes"] = JsonDoc.Num(t.Op.Bytes(c));
        }
        return new JsonObject
        {
            ["op"] = t.Op.Name,
            ["kind"] = t.Op.Kind.ToString().ToLowerInvariant(),
            ["dtype"] = t.Op.DType.Name(),
            ["flops"] = JsonDoc.Num(t.Op.Flops),
            ["dram_bytes"] = JsonDoc.Num(t.Op.DramBytes),
            ["onchip_bytes"] = JsonDoc.Num(t.Op.OnChipBytes),
            ["compute_sec"] = JsonDoc.Num(t.ComputeSec),
            ["memory_sec"] = JsonDoc.Num(t.MemorySec),
            ["launch_sec"] = JsonDoc.Num(t.LaunchSec),
            ["time_sec"] = JsonDoc.Num(t.TimeSec),
            ["bound"] = t.Bound.ToString().ToLowerInvariant(),
            ["intensity_flop_per_byte"] = JsonDoc.Num(t.ArithmeticIntensity),
            ["bytes_by_class"] = bytes,
        };
    }
}
