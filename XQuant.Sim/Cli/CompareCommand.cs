using System.CommandLine;
using XQuant.Sim.Charts;
using XQuant.Sim.Models;
using XQuant.Sim.Output;
using XQuant.Sim.Reports;

namespace XQuant.Sim.Cli;

/// <summary>xqsim compare: one model on several devices; writes report.md (+ charts/), report.html and report.csv.</summary>
public static class CompareCommand
{
    public const string DefaultSchemes = "fp16,kivi:4,kivi:2,xquant:4,xquant-cl:2";

    public static Command Create(CliContext ctx)
    {
        var hardware = CliOptions.Hardware();
        var model = CliOptions.Model();
        var schemes = CliOptions.Schemes(DefaultSchemes);
        var context = CliOptions.Context("4096,32768");
        var batch = CliOptions.Batch("1");
        var weights = WorkloadOptions.Weights();
        var reserve = WorkloadOptions.Reserve();
        var outDir = new Option<string>("--out", "-o") { Description = "output folder for report.md, report.html, report.csv and charts/", DefaultValueFactory = _ => "report" };
        var engine = EngineOptions.Engine();
        var efficiency = EngineOptions.Efficiency();
        var command = new Command("compare", "Compare devices for one model: tables, charts, verdict per device; writes report.md, a self-contained report.html and report.csv.")
        {
            hardware, model, schemes, context, batch, weights, reserve, outDir, engine, efficiency,
        };
        command.SetAction(p =>
        {
            var m = ModelConfigLoader.Resolve(p.GetValue(model)!);
            var derated = WorkloadOptions.ParseHardwareList(p.GetValue(hardware)!).Select(h => EngineOptions.Apply(h, p.GetValue(engine)!, p.GetValue(efficiency))).ToList();
            var request = new CompareRequest(
                m,
                derated.Select(d => d.Profile).ToList(),
                MemoryCommand.ParseSchemes(p.GetValue(schemes)!, m),
                CliOptions.PositiveList(p.GetValue(context)!, "--context", 1L << 40).Distinct().Select(v => (double)v).ToList(),
                CliOptions.PositiveList(p.GetValue(batch)!, "--batch", 1L << 30).Distinct().Select(v => (double)v).ToList(),
                WorkloadOptions.ParseWeights(p.GetValue(weights)!),
                WorkloadOptions.ParseReserve(p.GetValue(reserve)));
            foreach (var (profile, applied) in derated)
            {
                ctx.Out.WriteLine($"{profile.Id}: " + EngineOptions.Describe(applied) + (applied.IsDatasheet ? "" : "; compare applies the derated roofs, not the fixed time per step"));
            }
            foreach (string path in Write(CompareReport.Build(request), p.GetValue(outDir)!))
            {
                ctx.Out.WriteLine(path);
            }
            return CliApp.ExitOk;
        });
        return command;
    }

    /// <summary>Renders every chart once (PNG for the page and the Markdown), then the three report files.</summary>
    public static IReadOnlyList<string> Write(CompareResult result, string dir)
    {
        var figures = ChartSet.For(result.ChartCases, result.Focus);
        var doc = CompareReport.Document(result, figures);
        var written = new List<string>();
        var png = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var f in figures)
        {
            using var plot = f.Build();
            png[f.Name] = ChartFile.Png(plot, f.Width, f.Height);
            string path = Path.Combine(dir, "charts", f.Name + ".png");
            AtomicFile.WriteBytes(path, png[f.Name]);
            written.Add(path);
        }
        string md = Path.Combine(dir, "report.md");
        AtomicFile.WriteText(md, doc.ToMarkdown(f => $"charts/{f.Name}.png"));
        string html = Path.Combine(dir, "report.html");
        AtomicFile.WriteText(html, HtmlExporter.Render(doc, f => png[f.Name]));
        string csv = Path.Combine(dir, "report.csv");
        CsvOutput.WriteFile(csv, TextTable.Build(CaseTable.CsvColumns, result.Cases));
        written.AddRange([md, html, csv]);
        return written;
    }
}
