using System.Text;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Rendering.Reports;
using XQuant.Sim.Rendering.Tables;
using XQuant.Sim.Studies.Scenarios;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Rendering.Export;

/// <summary>summary.md: assumptions first, one table per model x hardware x weights x phase, then a verdict.</summary>
public sealed class MarkdownExporter : IExporter
{
    public static readonly MarkdownExporter Default = new();

    public string Name => "markdown";

    public IReadOnlyList<OutputFile> Files(RunResult run) => [OutputFile.Text("summary.md", Render(run))];

    public static string Render(RunResult run)
    {
        var s = run.Scenario;
        var sb = new StringBuilder();
        sb.Append("# ").Append(s.Name).Append("\n\n");
        if (s.Description.Length > 0)
        {
            sb.Append(s.Description).Append("\n\n");
        }
        AppendAssumptions(sb, run);
        bool plan = CaseTable.HasPlan(run.Cases);
        sb.Append("## Results\n\n");
        foreach (var group in run.Cases.GroupBy(c => (c.Workload.Model.Id, c.Workload.Hardware.Id, c.Workload.Weights, c.Workload.Phase)))
        {
            var (model, hw, weights, phase) = group.Key;
            sb.Append("### ").Append(model).Append(" on ").Append(hw).Append(", ").Append(weights.Name()).Append(" weights, ")
                .Append(phase.ToString().ToLowerInvariant()).Append("\n\n");
            sb.Append(TextTable.Build(CaseTable.ReadableColumnsFor(plan), group).ToMarkdown(withLegend: false)).Append('\n');
            sb.Append("Verdict:\n\n");
            foreach (string line in VerdictText.Lines(Verdict.Decide(group), bold: true))
            {
                sb.Append("- ").Append(line).Append('\n');
            }
            sb.Append('\n');
        }
        sb.Append("### Columns\n\n");
        foreach (var c in CaseTable.ReadableColumnsFor(plan))
        {
            sb.Append("- `").Append(c.Header).Append("`: ").Append(c.Legend).Append('\n');
        }
        var notes = run.Cases.SelectMany(c => c.Notes.Select(n => $"{c.Workload.Scheme.Spec}: {n}")).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (notes.Count > 0)
        {
            sb.Append("\n## Notes\n\n");
            foreach (string n in notes)
            {
                sb.Append("- ").Append(n).Append('\n');
            }
        }
        return sb.ToString();
    }

    private static void AppendAssumptions(StringBuilder sb, RunResult run)
    {
        var s = run.Scenario;
        sb.Append("## Assumptions\n\n");
        sb.Append("- Step time is a roofline per operator: max(FLOPs / dense peak of its dtype, bytes / bandwidth). ")
            .Append("`step_overlapped` = max(sum of compute times, sum of memory times) (compute and memory overlap across the step); ")
            .Append("`step_serial` = sum of per-op times (no overlap). Tokens/s use the overlapped form.\n");
        sb.Append("- Activations BF16; elementwise work at the vector (FP32) peak; transient tensors (activations, unfused K/V, the XQuant-CL accumulator) are served on chip when they fit in the on-chip SRAM; weights and caches always come from DRAM.\n");
        sb.Append("- Capacity: weights + cache + activations + a runtime reserve of ")
            .Append(Formats.Fixed(s.RuntimeReserveFraction * 100, 0)).Append("% of device memory.\n");
        sb.Append("- Models: ").Append(string.Join("; ", s.Models.Select(m =>
            $"{m.Id} ({m.Layers} layers, d={m.HiddenSize}, {m.Heads} heads / {m.KvHeads} KV heads, {m.AttentionKind})"))).Append(".\n");
        if (s.TensorParallel * s.PipelineParallel > 1)
        {
            sb.Append("- Deployment: TP ").Append(s.TensorParallel).Append(" x PP ").Append(s.PipelineParallel)
                .Append(" per case; each step is one rank's ledger with its communication ops (alpha-beta ring collectives, not overlapped), cache/weights/capacity are the fullest device's. Links: ")
                .Append(string.Join("; ", s.Hardware.Select(h => $"{h.Id}: {s.Plan(h)?.Link?.Describe() ?? "none"}"))).Append(".\n");
        }
        sb.Append("\n| hardware | provenance | DRAM | DRAM bandwidth | on-chip | BF16 peak | ridge BF16 | source | profile file |\n");
        sb.Append("|:---|:---|---:|---:|---:|---:|---:|:---|:---|\n");
        foreach (var hw in s.Hardware)
        {
            sb.Append("| ").Append(hw.Id)
                .Append(" | ").Append(hw.Provenance.Name())
                .Append(" | ").Append(Formats.Sig(hw.Dram.CapacityBytes / 1e9)).Append(" GB")
                .Append(" | ").Append(Formats.Sig(hw.DramBandwidthBytesPerSec / 1e9)).Append(" GB/s")
                .Append(" | ").Append(hw.OnChip is null ? "-" : $"{Formats.Sig(hw.OnChip.CapacityBytes / 1e6)} MB {hw.OnChip.Kind}")
                .Append(" | ").Append(hw.Peak(DType.Bf16) is double p ? $"{Formats.Sig(p / 1e12)} TFLOP/s" : "not supported")
                .Append(" | ").Append(hw.RidgeFlopsPerByte(DType.Bf16) is double r ? Formats.Sig(r, 3) : "-")
                .Append(" | ").Append(hw.PeakFlopsSource)
                .Append(" | ").Append(SourcePaths.MarkdownCell(hw.SourcePath))
                .Append(" |\n");
        }
        sb.Append('\n');
    }
}
