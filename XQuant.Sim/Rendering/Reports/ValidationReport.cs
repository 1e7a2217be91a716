using System.Text;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Rendering.Charts;
using XQuant.Sim.Studies.Measurement;

namespace XQuant.Sim.Rendering.Reports;

/// <summary>One row of the summary: error statistics of one scope (a kernel class, an engine class, whole steps) and tier.</summary>
public sealed record SummaryRow(string Scope, string Tier, ErrorStats Stats);

/// <summary>Writes validate's outputs: kernels.csv, steps.csv, summary.csv, roofline-points.csv and validation.md.</summary>
public static class ValidationReport
{
    /// <summary>The profile calibrated interleaved with a validate run, written beside its results.</summary>
    public const string InterleavedProfileFile = "calibrated-interleaved.json";

    public static IReadOnlyList<SummaryRow> Summary(ValidationResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var rows = new List<SummaryRow>();
        var tiers = new List<(string Name, Func<KernelPoint, double> Kernel, Func<StepPoint, double> Step)>
        {
            ("calibrated", k => k.PredictedSec, s => s.PredictedSec),
        };
        if (r.Interleaved is not null)
        {
            tiers.Add(("interleaved", k => k.PredictedInterleavedSec ?? double.NaN, s => s.PredictedInterleavedSec ?? double.NaN));
        }
        tiers.Add(("sol", k => k.PredictedSolSec, s => s.PredictedSolSec));
        foreach (var (tier, kernel, step) in tiers)
        {
            foreach (var cls in r.Kernels.Select(k => k.Case.Class).Distinct())
            {
                rows.Add(new(cls + " kernels", tier, ErrorStats.FromPairs(r.Kernels.Where(k => k.Case.Class == cls).Select(k => (kernel(k), k.MeasuredSec)))));
            }
            rows.Add(new("all kernels", tier, ErrorStats.FromPairs(r.Kernels.Select(k => (kernel(k), k.MeasuredSec)))));
            if (r.Steps.Count > 0)
            {
                rows.Add(new("decode step", tier, ErrorStats.FromPairs(r.Steps.Select(s => (step(s), s.MeasuredSec)))));
            }
        }
        foreach (var cls in r.Steps.Count > 0 ? EngineBench.Classes : [])
        {
            var pairs = r.Steps.Where(s => s.MeasuredByClass[cls] > 0).Select(s => (s.PredictedByClass[cls], s.MeasuredByClass[cls])).ToList();
            rows.Add(new($"step: {cls}", "calibrated", ErrorStats.FromPairs(pairs)));
        }
        return rows;
    }

    private static string Pct(double v) => double.IsNaN(v) ? "n/a" : Formats.Fixed(v * 100, 1);

    private static readonly TableColumn<SummaryRow>[] SummaryColumns =
    [
        new("scope", "kernel class (standalone kernels), decode-step class (ops inside the engine), or the whole step", r => r.Scope, AlignRight: false),
        new("tier", "calibrated: roofline + per-class achieved FLOP/s from the calibration file's microbenchmarks; interleaved: the same microbenchmarks timed in this run's rounds, between the runs they predict (no drift between two commands); sol: plain roofline (stream bandwidth, GEMM peak, dispatch latency)", r => r.Tier, AlignRight: false),
        new("n", "points", r => Formats.Int(r.Stats.Count)),
        new("mean_pct", "mean signed error (predicted - measured) / measured, %", r => Pct(r.Stats.MeanSigned)),
        new("median_pct", "median signed error, %", r => Pct(r.Stats.MedianSigned)),
        new("median_abs_pct", "median |error|, % (goal <= 10)", r => Pct(r.Stats.MedianAbs)),
        new("p90_abs_pct", "90th percentile |error|, % (goal <= 25)", r => Pct(r.Stats.P90Abs)),
        new("worst_pct", "signed error of the point with the largest |error|, %", r => Pct(r.Stats.WorstSigned)),
    ];

    private static readonly TableColumn<KernelPoint>[] KernelColumns =
    [
        new("kernel", "", k => k.Case.Kernel, AlignRight: false),
        new("class", "", k => k.Case.Class, AlignRight: false),
        new("shape", "", k => k.Case.Shape, AlignRight: false),
        new("flops", "ledger FLOPs", k => Formats.Exact(k.Case.Flops)),
        new("dram_bytes", "ledger DRAM bytes (fp32 data)", k => Formats.Exact(k.Case.DramBytes)),
        new("measured_s", "median of the timed runs (after a warm-up, caches flushed before each)", k => Formats.Exact(k.MeasuredSec)),
        new("spread", "(P90 - P10) / median of the runs", k => Formats.Sig(k.Spread, 3)),
        new("predicted_sol_s", "", k => Formats.Exact(k.PredictedSolSec)),
        new("predicted_s", "", k => Formats.Exact(k.PredictedSec)),
        new("error_sol_pct", "", k => Pct(ErrorStats.SignedError(k.PredictedSolSec, k.MeasuredSec))),
        new("error_pct", "", k => Pct(ErrorStats.SignedError(k.PredictedSec, k.MeasuredSec))),
        new("predicted_interleaved_s", "from the calibration interleaved with this run", k => k.PredictedInterleavedSec is double v ? Formats.Exact(v) : "n/a"),
        new("error_interleaved_pct", "", k => k.PredictedInterleavedSec is double v ? Pct(ErrorStats.SignedError(v, k.MeasuredSec)) : "n/a"),
    ];

    private static TableColumn<StepPoint>[] StepColumns(bool csv) =>
    [
        new("scheme", "", s => s.Scheme, AlignRight: false),
        new("context", "cached tokens before the timed steps' middle", s => Formats.Int(s.Context)),
        new("measured_s", "median decode step", s => csv ? Formats.Exact(s.MeasuredSec) : Formats.Sig(s.MeasuredSec * 1e3) + " ms"),
        new("spread", "", s => Formats.Sig(s.Spread, 3)),
        new("predicted_sol_s", "", s => csv ? Formats.Exact(s.PredictedSolSec) : Formats.Sig(s.PredictedSolSec * 1e3) + " ms"),
        new("predicted_s", "", s => csv ? Formats.Exact(s.PredictedSec) : Formats.Sig(s.PredictedSec * 1e3) + " ms"),
        new("error_sol_pct", "", s => Pct(ErrorStats.SignedError(s.PredictedSolSec, s.MeasuredSec))),
        new("error_pct", "", s => Pct(ErrorStats.SignedError(s.PredictedSec, s.MeasuredSec))),
        new("predicted_interleaved_s", "", s => s.PredictedInterleavedSec is double v ? (csv ? Formats.Exact(v) : Formats.Sig(v * 1e3) + " ms") : "n/a"),
        new("error_interleaved_pct", "", s => s.PredictedInterleavedSec is double v ? Pct(ErrorStats.SignedError(v, s.MeasuredSec)) : "n/a"),
        .. EngineBench.Classes.SelectMany(c => new TableColumn<StepPoint>[]
        {
            new($"{c}_measured_s", "", s => csv ? Formats.Exact(s.MeasuredByClass[c]) : Formats.Sig(s.MeasuredByClass[c] * 1e3) + " ms"),
            new($"{c}_predicted_s", "", s => csv ? Formats.Exact(s.PredictedByClass[c]) : Formats.Sig(s.PredictedByClass[c] * 1e3) + " ms"),
        }),
        new("cache_bytes_engine", "bytes the engine's caches hold at the filled context", s => Formats.Int(s.EngineCacheBytes)),
        new("cache_bytes_accounting", "CacheMemory.TotalBytesPerSequence for the same layout", s => Formats.Int(s.AccountedCacheBytes)),
        new("cache_bytes_equal", "", s => s.EngineCacheBytes == s.AccountedCacheBytes ? "yes" : "NO"),
        new("logit_rel_err_vs_fp16", "relative L2 error of the logits vs the fp16 engine at the same position", s => Formats.Sig(s.LogitErrorVsFp16, 3)),
    ];

    private static readonly TableColumn<(string Name, double Flops, double Bytes, double Sec)>[] PointColumns =
    [
        new("point", "", p => p.Name, AlignRight: false),
        new("flops", "", p => Formats.Exact(p.Flops)),
        new("dram_bytes", "", p => Formats.Exact(p.Bytes)),
        new("measured_s", "", p => Formats.Exact(p.Sec)),
        new("intensity_flop_per_byte", "", p => Formats.Exact(p.Bytes > 0 ? p.Flops / p.Bytes : double.NaN)),
        new("achieved_flop_per_s", "", p => Formats.Exact(p.Flops / p.Sec)),
    ];

    /// <summary>Measured points for a roofline chart: FLOPs, DRAM bytes and time of every kernel case and step.</summary>
    public static IEnumerable<(string Name, double Flops, double Bytes, double Sec)> Points(ValidationResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        foreach (var k in r.Kernels)
        {
            yield return ($"{k.Case.Kernel} {k.Case.Shape}", k.Case.Flops, k.Case.DramBytes, k.MeasuredSec);
        }
        foreach (var s in r.Steps)
        {
            yield return ($"step {s.Scheme} l={s.Context}", s.Flops, s.DramBytes, s.MeasuredSec);
        }
    }

    private static void AppendProfile(StringBuilder md, string label, HardwareProfile hw, string path)
    {
        md.Append("- ").Append(label).Append(": ").Append(path).Append(" (").Append(hw.Calibration?.Date ?? "no date").Append(hw.Kind == DeviceKind.Cpu ? "): DRAM (GEMV stream) " : "): DRAM (read) ")
            .Append(Formats.Sig(hw.DramBandwidthBytesPerSec / 1e9, 3)).Append(" GB/s, fp32 GEMM ").Append(Formats.Sig((hw.Peak(DType.Fp32) ?? 0) / 1e9, 3))
            .Append(" GFLOP/s, dispatch ").Append(Formats.Sig((hw.KernelLaunchLatencySec ?? 0) * 1e6, 3)).Append(" us");
        foreach (var (k, v) in (hw.AchievedFlopsPerSecByKind ?? new Dictionary<string, double>()).OrderBy(x => x.Key, StringComparer.Ordinal))
        {
            md.Append(", ").Append(k).Append(' ').Append(Formats.Sig(v / 1e9, 3)).Append(" GFLOP/s");
        }
    }

    public static IReadOnlyList<OutputFile> Files(ValidationResult r, string command, string loadBefore, string loadAfter, string date)
    {
        ArgumentNullException.ThrowIfNull(r);
        var summary = Summary(r);
        var files = new List<OutputFile>
        {
            OutputFile.Csv("summary.csv", TextTable.Build(SummaryColumns, summary)),
            OutputFile.Csv("kernels.csv", TextTable.Build(KernelColumns, r.Kernels)),
            OutputFile.Csv("steps.csv", TextTable.Build(StepColumns(csv: true), r.Steps)),
            OutputFile.Csv("roofline-points.csv", TextTable.Build(PointColumns, Points(r))),
        };
        if (r.Interleaved is not null)
        {
            files.Add(CalibratedProfileJson.File(InterleavedProfileFile, r.Interleaved));
        }
        var measured = r.Kernels.Select(k => new MeasuredPoint($"{k.Case.Kernel} {k.Case.Shape}", k.Case.Class, k.Case.Flops, k.Case.DramBytes, k.MeasuredSec, k.PredictedSec))
            .Concat(r.Steps.Select(s => new MeasuredPoint($"step {s.Scheme} l={s.Context}", "decode step", s.Flops, s.DramBytes, s.MeasuredSec, s.PredictedSec)))
            .ToList();
        using (var chart = MeasuredRooflineChart.Create(r.Calibrated, measured, $"Measured vs predicted on {r.Calibrated.Name}"))
        {
            files.Add(ChartFile.Output("roofline-measured.png", chart, MeasuredRooflineChart.Width, MeasuredRooflineChart.Height));
        }
        var hw = r.Calibrated;
        var md = new StringBuilder();
        md.Append("# xqsim validate: predicted vs measured\n\n");
        md.Append("- date: ").Append(date).Append('\n');
        md.Append("- command: `").Append(command).Append("`\n");
        md.Append("- machine: ").Append(hw.Calibration?.Device ?? hw.Name).Append("; ").Append(hw.Calibration?.Runtime ?? "").Append('\n');
        foreach (string note in r.Notes ?? [])
        {
            md.Append("- note: ").Append(note).Append('\n');
        }
        md.Append("- load average (1/5/15 min) before / after: ").Append(loadBefore).Append(" / ").Append(loadAfter).Append('\n');
        AppendProfile(md, "calibration", hw, hw.SourcePath);
        if (r.Interleaved is not null)
        {
            md.Append('\n');
            AppendProfile(md, "interleaved calibration", r.Interleaved, InterleavedProfileFile);
        }
        md.Append('\n');
        if (r.Steps.Count > 0)
        {
            md.Append("- engine: d=").Append(r.Plan.Engine.HiddenSize).Append(", ").Append(r.Plan.Engine.Layers).Append(" layers, ").Append(r.Plan.Engine.Heads).Append('/').Append(r.Plan.Engine.KvHeads)
                .Append(" heads of ").Append(r.Plan.Engine.HeadDim).Append(", FFN ").Append(r.Plan.Engine.IntermediateSize).Append(", vocab ").Append(r.Plan.Engine.VocabSize).Append(", fp32 weights\n");
        }
        md.Append("- signed error = (predicted - measured) / measured; negative = the model is optimistic.\n\n");
        md.Append("## Summary\n\n").Append(TextTable.Build(SummaryColumns, summary).ToMarkdown());
        md.Append("\n## Decode steps\n\n").Append(r.Steps.Count == 0 ? "None: the decode engine runs on the CPU only (`xqsim validate --device cpu` times decode steps).\n" : TextTable.Build(StepColumns(csv: false).Where(c => !c.Header.Contains("_measured_s", StringComparison.Ordinal) && !c.Header.Contains("_predicted_s", StringComparison.Ordinal) || c.Header is "measured_s" or "predicted_s" or "predicted_sol_s" or "predicted_interleaved_s").ToList(), r.Steps).ToMarkdown());
        md.Append("\n## Kernels\n\n").Append(TextTable.Build(KernelColumns, r.Kernels).ToMarkdown());
        md.Append("\nPer-class times inside each step are in steps.csv; measured points (FLOPs, DRAM bytes, seconds) in roofline-points.csv.\n\n![measured roofline](roofline-measured.png)\n");
        files.Add(OutputFile.Text("validation.md", md.ToString()));
        return files;
    }
}
