using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Rendering.Charts;
using XQuant.Sim.Rendering.Documents;
using XQuant.Sim.Rendering.Tables;
using XQuant.Sim.Studies.Comparison;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Rendering.Reports;

/// <summary>
/// Renders a finished <see cref="CompareResult"/> as a <see cref="ReportDocument"/>; the Markdown, HTML, CSV and chart
/// files all read that one result.
/// </summary>
public static class CompareReport
{
    /// <summary>Where the single-point charts look: the study's focus batch and context.</summary>
    public static ChartFocus Focus(CompareResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new ChartFocus(result.FocusBatch, result.FocusContextTokens, result.Request.Contexts.Order().ToList());
    }

    /// <summary>Every chart rendered once as PNG (the page embeds the bytes the Markdown links), then report.md, report.html and report.csv.</summary>
    public static IReadOnlyList<OutputFile> Files(CompareResult result)
    {
        var figures = ChartSet.For(result.ChartCases, Focus(result));
        var doc = Document(result, figures);
        var png = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var files = new List<OutputFile>();
        foreach (var f in figures)
        {
            using var plot = f.Build();
            png[f.Name] = ChartFile.Png(plot, f.Width, f.Height);
            files.Add(OutputFile.Bytes($"charts/{f.Name}.png", png[f.Name]));
        }
        files.Add(OutputFile.Text("report.md", doc.ToMarkdown(f => $"charts/{f.Name}.png")));
        files.Add(OutputFile.Text("report.html", HtmlRenderer.Render(doc, f => png[f.Name])));
        files.Add(OutputFile.Csv("report.csv", TextTable.Build(CaseTable.CsvColumnsFor(CaseTable.HasPlan(result.Cases)), result.Cases)));
        return files;
    }

    /// <summary>Columns of the per-workload tables: one row per device and scheme.</summary>
    public static IReadOnlyList<TableColumn<CaseResult>> Columns { get; } =
    [
        new("hardware", "hardware profile id", c => c.Workload.Hardware.Id, false),
        new("scheme", "cache scheme (compact spec)", c => c.Workload.Scheme.Spec, false),
        new("ms_per_token", "decode step time = time per output token, overlapped form, milliseconds", c => Formats.Sig(c.PerTokenOverlappedSec * 1e3)),
        new("ms_serial", "decode step time, serial form (sum of per-op roofline times), milliseconds", c => Formats.Sig(c.PerTokenSerialSec * 1e3)),
        new("bound", "limiting roof of the step (overlapped form)", c => c.Step.Bound.ToString().ToLowerInvariant(), false),
        new("tok_per_s", "decode tokens/s over the batch, overlapped form", c => Formats.Sig(c.TokensPerSecOverlapped)),
        new("cache_gib", "cache at this batch and context, GiB (2^30 bytes)", c => Formats.Fixed(c.Cache.TotalBytes / (1L << 30), 3)),
        new("fits", "weights + cache + activations + reserve <= device memory", c => c.Capacity.Fits ? "yes" : "NO", false),
        new("max_batch", "largest batch that fits at this context", c => Formats.Int(c.Capacity.MaxBatchAtContext)),
        new("tok_per_s_max_batch", "decode tokens/s at that largest batch, overlapped form", c => Formats.Sig(c.TokensPerSecAtMaxBatch)),
    ];

    /// <summary><see cref="Columns"/>, with TP and PP after the hardware when the study runs on more than one device.</summary>
    public static IReadOnlyList<TableColumn<CaseResult>> ColumnsFor(bool plan) =>
        plan ? [Columns[0], .. CaseTable.PlanColumns.Take(2), .. Columns.Skip(1)] : Columns;

    public static ReportDocument Document(CompareResult result, IReadOnlyList<ChartFigure> figures)
    {
        var r = result.Request;
        var m = r.Model;
        bool plan = CaseTable.HasPlan(result.Cases);
        var columns = ColumnsFor(plan);
        var blocks = new List<ReportBlock>
        {
            new HeadingBlock(2, "Assumptions"),
            new BulletsBlock(
            [
                $"Model: **{m.Id}**, {m.Layers} layers, d={m.HiddenSize}, {m.Heads} heads / {m.KvHeads} KV heads ({m.AttentionKind}), {Formats.Fixed(m.TotalParams / 1e9, 2)}B parameters, max_position_embeddings {m.MaxPositionEmbeddings}.",
                $"Workload: decode (one new token per sequence per step) at batch {string.Join(", ", r.Batches.Select(Formats.Int))} and context {string.Join(", ", r.Contexts.Select(Formats.Int))} tokens.",
                $"Weights: **{r.Weights.Name()}** ({Formats.Sig(r.Weights.BytesPerWeight(), 3)} bytes per weight); GEMMs compute in {r.Weights.DefaultGemmDType().Name()} where the device has that rate, otherwise at the peak the note names.",
                "Overlap model: time per op is a roofline, max(FLOPs / dense peak of its dtype, bytes / bandwidth). `ms_per_token` is the **overlapped** form, max(sum of compute times, sum of memory times): compute and memory overlap across the whole step (optimistic). `ms_serial` is the sum of per-op times (no overlap). Tokens/s and every chart use the overlapped form.",
                "Activations BF16; elementwise work at the FP32 vector peak; transient tensors are served on chip when they fit in the on-chip SRAM (uncharged where the profile publishes no on-chip bandwidth); weights and caches always come from DRAM.",
                $"Capacity: weights + cache + activations + a runtime reserve of {Formats.Fixed(r.RuntimeReserveFraction * 100, 0)}% of device memory must fit.",
                $"Schemes: {string.Join(", ", r.Schemes.Select(s => $"`{s.Spec}`"))}.",
                .. plan ? [Deployment(result)] : Array.Empty<string>(),
                .. SpecBullets(r),
            ]),
            new HeadingBlock(3, "Hardware profiles"),
            new TableBlock(TextTable.Build(ProfileColumns(result), r.Hardware)),
            new ParagraphBlock("Sources: " + string.Join("; ", r.Hardware.Select(h => $"{h.Id} peaks {h.PeakFlopsSource}" + (h.Dram.Source is { } ds && ds != h.PeakFlopsSource ? $", DRAM {ds}" : ""))) + "."),
            new HeadingBlock(2, "Results"),
        };
        foreach (double b in r.Batches)
        {
            foreach (double l in r.Contexts)
            {
                var rows = result.Cases.Where(c => c.Workload.Batch == b && c.Workload.ContextTokens == l).ToList();
                blocks.Add(new HeadingBlock(3, $"Batch {Formats.Int(b)}, context {Formats.Int(l)}"));
                blocks.Add(new TableBlock(TextTable.Build(columns, rows)));
            }
        }
        blocks.Add(new BulletsBlock(columns.Select(c => $"`{c.Header}`: {c.Legend}").ToList()));
        blocks.Add(new HeadingBlock(2, "Verdict per device"));
        foreach (var hw in r.Hardware)
        {
            blocks.Add(new HeadingBlock(3, hw.Id));
            blocks.Add(new BulletsBlock(Verdict(result, hw)));
        }
        if (figures.Count > 0)
        {
            blocks.Add(new HeadingBlock(2, "Charts"));
            blocks.AddRange(figures.Select(f => new FigureBlock(f)));
        }
        var notes = result.Cases
            .SelectMany(c => c.Notes.Select(n => $"{c.Workload.Hardware.Id}, {c.Workload.Scheme.Spec}: {n}"))
            .Distinct(StringComparer.Ordinal).ToList();
        if (notes.Count > 0)
        {
            blocks.Add(new HeadingBlock(2, "Notes"));
            blocks.Add(new BulletsBlock(notes));
        }
        return new ReportDocument($"Hardware comparison: {m.Id}, {r.Weights.Name()} weights", blocks);
    }

    private static string Deployment(CompareResult result)
    {
        var r = result.Request;
        var links = result.Cases.GroupBy(c => c.Workload.Hardware.Id, StringComparer.Ordinal)
            .Select(g => $"{g.Key}: {g.First().Workload.Plan.Link?.Describe() ?? "no link"}");
        return $"Deployment: **TP {r.TensorParallel} x PP {r.PipelineParallel}** = {r.TensorParallel * r.PipelineParallel} devices per replica; each step is one rank's ledger with its communication ops (alpha-beta ring collectives, not overlapped with compute); cache, fits and max_batch are the fullest device's. Links: {string.Join("; ", links)}.";
    }

    private static List<TableColumn<HardwareProfile>> ProfileColumns(CompareResult result)
    {
        var dtypes = result.Cases.SelectMany(c => c.Step.Ops).Where(o => o.Op.Flops > 0).Select(o => o.Op.DType).Distinct().Order().ToList();
        var cols = new List<TableColumn<HardwareProfile>>
        {
            new("hardware", "profile id", h => h.Id, false),
            new("provenance", "datasheet, calibrated or measured", h => h.Provenance.Name(), false),
            new("dram", "DRAM kind and capacity, GB (1e9 bytes)", h => $"{h.Dram.Kind} {Formats.Sig(h.Dram.CapacityBytes / 1e9)} GB", false),
            new("dram_tb_per_s", "DRAM bandwidth, TB/s", h => Formats.Sig(h.DramBandwidthBytesPerSec / 1e12, 3)),
            new("on_chip", "largest on-chip SRAM, MB, and its bandwidth where the profile publishes one (otherwise on-chip traffic is not charged)", h => h.OnChip is null ? "-" : $"{h.OnChip.Kind} {Formats.Sig(h.OnChip.CapacityBytes / 1e6, 3)} MB" + (h.OnChip.BandwidthBytesPerSec is double ob ? $", {Formats.Sig(ob / 1e12, 3)} TB/s" : ""), false),
        };
        foreach (var t in dtypes)
        {
            cols.Add(new($"{t.Name()}_tflops", $"dense {t.Name()} peak, TFLOP/s ('-' = no such rate)", h => h.Peak(t) is double p ? Formats.Sig(p / 1e12) : "-"));
            cols.Add(new($"ridge_{t.Name()}", $"{t.Name()} peak / DRAM bandwidth, FLOP/byte", h => h.RidgeFlopsPerByte(t) is double x ? Formats.Sig(x, 3) : "-"));
        }
        cols.Add(new("profile", "file the figures come from", h => h.NodeDevice is null ? SourcePaths.Display(h.SourcePath) : $"{SourcePaths.Display(h.SourcePath)} (device {h.NodeDevice})", false));
        return cols;
    }

    private static List<string> Verdict(CompareResult result, HardwareProfile hw)
    {
        var lines = new List<string>(VerdictText.Lines(Domain.Planning.Verdict.Decide(result.Cases.Where(c => c.Workload.Hardware.Id == hw.Id)), bold: true));
        foreach (var be in result.BreakEvens.Where(b => b.Hardware == hw.Id))
        {
            string hide = double.IsPositiveInfinity(be.HideContextTokens)
                ? $"never turns compute-bound up to {Formats.Int(BreakEven.ContextLimit)} tokens"
                : be.HideContextTokens <= 0 ? "is compute-bound at any context" : $"hides under the weight and cache stream up to {Formats.Int(be.HideContextTokens)} tokens";
            string cross = be.Versus is null ? "" : be.Crossovers.Count == 0
                ? $"; no crossover with {be.Versus} between 1 and {Formats.Int(BreakEven.ContextLimit)} tokens"
                : "; vs " + be.Versus + ": " + string.Join(", ", be.Crossovers.Select(c => $"crossover at {Formats.Int(c.At)} tokens ({be.Scheme} {(c.SchemeFasterBelow ? "faster below" : "faster above")})"));
            lines.Add($"Break-even, `{be.Scheme}` at batch {Formats.Int(be.Batch)}: the step {hide}{cross}.");
        }
        return lines;
    }

    private static IEnumerable<string> SpecBullets(CompareRequest r)
    {
        if (r.Speculation is { } spec)
        {
            yield return $"Speculative decoding `{spec.Spec}`: each step verifies k + 1 = {spec.QueriesPerSequence} tokens per sequence (the cache is read and rematerialized once) and yields E = (1 - a^(k+1)) / (1 - a) = {Formats.Sig(spec.ExpectedTokensPerStep)} tokens; `ms_per_token`, tokens/s and the charts are (verify + draft) / E. Acceptance is an assumption (i.i.d. per draft token).";
        }
        if (r.Routing is { IsUniform: false } routing)
        {
            yield return $"MoE routing `{routing.Spec}` (the experts a step streams; an assumption the user gave).";
        }
    }
}
