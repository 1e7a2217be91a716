using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Foundation.Text;

namespace XQuant.Sim.Rendering.Tables;

/// <summary>One row per costed case; the CSV has every column with bare numbers, tables for people a subset.</summary>
public static class CaseTable
{
    public static IReadOnlyList<TableColumn<CaseResult>> CsvColumns { get; } =
    [
        new("model", "", r => r.Workload.Model.Id, false),
        new("hardware", "", r => r.Workload.Hardware.Id, false),
        new("provenance", "datasheet | calibrated | measured", r => r.Step.Provenance.Name(), false),
        new("scheme", "", r => r.Workload.Scheme.Spec, false),
        new("weights", "", r => r.Workload.Weights.Name(), false),
        new("phase", "", r => r.Workload.Phase.ToString().ToLowerInvariant(), false),
        new("batch", "", r => Formats.Exact(r.Workload.Batch)),
        new("context_tokens", "", r => Formats.Exact(r.Workload.ContextTokens)),
        new("cache_bytes", "", r => Formats.Exact(r.Cache.TotalBytes)),
        new("normalized_size", "", r => Formats.Exact(r.NormalizedSize)),
        new("flops", "", r => Formats.Exact(r.Step.Flops)),
        new("dram_bytes", "", r => Formats.Exact(r.Step.DramBytes)),
        new("onchip_bytes", "", r => Formats.Exact(r.Step.OnChipBytes)),
        new("remat_flops", "", r => Formats.Exact(r.Step.FlopsOf(OpKind.Remat))),
        new("intensity_flop_per_byte", "", r => Formats.Exact(r.Step.ArithmeticIntensity)),
        new("compute_s", "", r => Formats.Exact(r.Step.ComputeSec)),
        new("memory_s", "", r => Formats.Exact(r.Step.MemorySec)),
        new("step_time_serial_s", "", r => Formats.Exact(r.Step.SerialSec)),
        new("step_time_overlapped_s", "", r => Formats.Exact(r.Step.OverlappedSec)),
        new("bound", "", r => r.Step.Bound.ToString().ToLowerInvariant(), false),
        new("tokens_per_s_overlapped", "", r => r.Workload.Phase == Phase.Decode ? Formats.Exact(r.TokensPerSecOverlapped) : ""),
        new("weight_bytes", "", r => Formats.Exact(r.Capacity.WeightBytes)),
        new("activation_bytes", "", r => Formats.Exact(r.Capacity.ActivationBytes)),
        new("reserve_bytes", "", r => Formats.Exact(r.Capacity.ReserveBytes)),
        new("device_bytes", "", r => Formats.Exact(r.Capacity.DeviceBytes)),
        new("fits", "", r => r.Capacity.Fits ? "true" : "false", false),
        new("max_batch_at_context", "", r => Formats.Exact(r.Capacity.MaxBatchAtContext)),
        new("max_context_at_batch", "", r => Formats.Exact(r.Capacity.MaxContextAtBatch)),
        new("tokens_per_s_at_max_batch", "", r => r.Workload.Phase == Phase.Decode ? Formats.Exact(r.TokensPerSecAtMaxBatch) : ""),
        new("notes", "", r => string.Join(" | ", r.Notes), false),
    ];

    /// <summary>
    /// The device plan of a case, as columns added only where a study runs on more than one device (a single-device
    /// study's files stay exactly as they were). The hardware column then names the node or device whose link is used.
    /// </summary>
    public static IReadOnlyList<TableColumn<CaseResult>> PlanColumns { get; } =
    [
        new("tp", "tensor-parallel ranks", r => Formats.Int(r.Workload.Plan.TensorParallel)),
        new("pp", "pipeline stages", r => Formats.Int(r.Workload.Plan.PipelineParallel)),
        new("devices", "devices of one replica (TP x PP); cache, weights and capacity figures are the fullest device's", r => Formats.Int(r.Workload.Plan.Devices)),
        new("link", "the link the collectives are timed on (alpha-beta)", r => r.Workload.Plan.Link?.Describe() ?? "", false),
    ];

    /// <summary>True when any case runs on more than one device.</summary>
    public static bool HasPlan(IEnumerable<CaseResult> cases) => cases.Any(c => !c.Workload.Plan.IsSingle);

    /// <summary>cases.csv's columns: <see cref="CsvColumns"/>, with <see cref="PlanColumns"/> after the hardware when <paramref name="plan"/>.</summary>
    public static IReadOnlyList<TableColumn<CaseResult>> CsvColumnsFor(bool plan) =>
        plan ? [.. CsvColumns.Take(2), .. PlanColumns, .. CsvColumns.Skip(2)] : CsvColumns;

    /// <summary>The readable columns, with TP and PP first when <paramref name="plan"/>.</summary>
    public static IReadOnlyList<TableColumn<CaseResult>> ReadableColumnsFor(bool plan) =>
        plan ? [.. PlanColumns.Take(2), .. ReadableColumns] : ReadableColumns;

    /// <summary>The columns a person reads in Markdown, with legends printed under the table.</summary>
    public static IReadOnlyList<TableColumn<CaseResult>> ReadableColumns { get; } =
    [
        new("scheme", "cache scheme (compact spec)", r => r.Workload.Scheme.Spec, false),
        new("batch", "sequences decoded together", r => Formats.Int(r.Workload.Batch)),
        new("context", "cached tokens per sequence (decode) or prompt tokens (prefill)", r => Formats.Int(r.Workload.ContextTokens)),
        new("cache", "cache bytes at this batch and context (payload + metadata + window + accumulator)", r => Formats.Bytes(r.Cache.TotalBytes)),
        new("norm_size", "paper-convention bytes per token / FP16 KV", r => Formats.Fixed(r.NormalizedSize, 3)),
        new("step_overlapped", "step time, overlapped form max(sum FLOPs/peak, sum bytes/bandwidth)", r => Formats.Seconds(r.Step.OverlappedSec)),
        new("step_serial", "step time, sum of per-op roofline times (no overlap)", r => Formats.Seconds(r.Step.SerialSec)),
        new("bound", "limiting roof of the step (overlapped form)", r => r.Step.Bound.ToString().ToLowerInvariant(), false),
        new("tok_per_s", "decode tokens/s over the batch, overlapped form", r => r.Workload.Phase == Phase.Decode ? Formats.Sig(r.TokensPerSecOverlapped) : "-"),
        new("fits", "weights + cache + activations + reserve <= device memory", r => r.Capacity.Fits ? "yes" : "NO", false),
        new("max_batch", "largest batch that fits at this context", r => Formats.Int(r.Capacity.MaxBatchAtContext)),
        new("tok_per_s_max_batch", "decode tokens/s at that largest batch, overlapped form", r => r.Workload.Phase == Phase.Decode ? Formats.Sig(r.TokensPerSecAtMaxBatch) : "-"),
    ];

    /// <param name="plan">Add the TP and PP columns after the hardware (a multi-device study).</param>
    public static IReadOnlyList<TableColumn<(CaseResult Case, OpTiming Op)>> OpColumns(bool plan = false)
    {
        var columns = new List<TableColumn<(CaseResult Case, OpTiming Op)>>
        {
            new("model", "", x => x.Case.Workload.Model.Id, false),
            new("hardware", "", x => x.Case.Workload.Hardware.Id, false),
        };
        if (plan)
        {
            columns.AddRange(PlanColumns.Take(2).Select(c => new TableColumn<(CaseResult Case, OpTiming Op)>(c.Header, c.Legend, x => c.Cell(x.Case), c.AlignRight)));
        }
        columns.AddRange(
        [
            new("scheme", "", x => x.Case.Workload.Scheme.Spec, false),
            new("weights", "", x => x.Case.Workload.Weights.Name(), false),
            new("phase", "", x => x.Case.Workload.Phase.ToString().ToLowerInvariant(), false),
            new("batch", "", x => Formats.Exact(x.Case.Workload.Batch)),
            new("context_tokens", "", x => Formats.Exact(x.Case.Workload.ContextTokens)),
        ]);
        columns.AddRange(LedgerTable.Columns(exact: true).Select(c => new TableColumn<(CaseResult Case, OpTiming Op)>(c.Header, c.Legend, x => c.Cell(x.Op), c.AlignRight)));
        return columns;
    }
}
