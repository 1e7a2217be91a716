using System.CommandLine;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Rendering.Charts;
using XQuant.Sim.Rendering.Tables;
using XQuant.Sim.Studies.Quality;

namespace XQuant.Sim.Cli;

/// <summary>xqsim pareto: memory x time x error per scheme, the non-dominated ones marked.</summary>
public static class ParetoCommand
{
    public static Command Create(CliContext ctx)
    {
        var hardware = CliOptions.Hardware();
        var model = CliOptions.Model();
        var dataset = new Option<string>("--dataset") { Description = "wikitext2 or c4 (the paper's datasets)", DefaultValueFactory = _ => "wikitext2" };
        var quality = new Option<string?>("--quality") { Description = "quality CSV (default: data/paper-perplexity.csv, the paper's figures)" };
        var context = CliOptions.Context("4096");
        var batch = CliOptions.Batch("1");
        var outDir = new Option<string?>("--out", "-o") { Description = "also write pareto.csv, pareto.md and pareto.png here" };
        var command = new Command("pareto", "Memory x latency x error per scheme: cost model for memory and time, quality figures tagged with their source; the non-dominated schemes marked.")
        {
            hardware, model, dataset, quality, context, batch, outDir,
        };
        command.SetAction(p =>
        {
            var hw = HardwareProfileLoader.Resolve(p.GetValue(hardware)!);
            var m = ModelConfigLoader.Resolve(p.GetValue(model)!);
            var points = PaperQuality.Load(p.GetValue(quality));
            string ds = p.GetValue(dataset)!;
            var datasets = points.Select(q => q.Dataset).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (!datasets.Contains(ds))
            {
                throw new InputException("--dataset", "", $"'{JsonFields.Truncate(ds)}' has no quality data (allowed: {string.Join(", ", datasets)})");
            }
            double b = CliOptions.PositiveList(p.GetValue(batch)!, "--batch", 1L << 30)[0];
            double l = CliOptions.PositiveList(p.GetValue(context)!, "--context", 1L << 40)[0];
            var study = ParetoStudy.Build(m, hw, points, ds, b, l);
            var sources = points.Where(q => q.Model == m.Id && q.Dataset == ds).Select(q => q.Source).Distinct().Order().ToList();
            string from = string.Join(" and ", sources.Select(s => s switch
            {
                QualitySource.Paper => "from the paper (arXiv 2508.10395)",
                QualitySource.MeasuredSynthetic => "measured by xqsim accuracy on a synthetic model",
                _ => "measured by xqsim accuracy on a checkpoint",
            }));
            ctx.Out.WriteLine($"{m.Id} on {hw.Id} ({hw.Provenance.Name()}), batch {Formats.Int(b)}, context {Formats.Int(l)}; perplexity on {ds} {from}, memory and time from the cost model");
            ctx.Out.WriteLine();
            ctx.Out.Write(ParetoTable.Build(study, exact: false).ToConsole());
            string? dir = p.GetValue(outDir);
            if (dir is not null)
            {
                string csv = Path.Combine(dir, "pareto.csv");
                string md = Path.Combine(dir, "pareto.md");
                string png = Path.Combine(dir, "pareto.png");
                CsvOutput.WriteFile(csv, ParetoTable.Build(study, exact: true));
                AtomicFile.WriteText(md, $"# Pareto: {m.Id} on {hw.Id}, batch {Formats.Int(b)}, context {Formats.Int(l)}\n\nMemory (normalized size) and time per token (overlapped roofline, {hw.Provenance.Name()} profile) from the cost model; perplexity on {ds} {from} (teacher-forced; column quality_source tags each row). `pareto` = not dominated in all three together.\n\n{ParetoTable.Build(study, exact: false).ToMarkdown()}\n![pareto](pareto.png)\n");
                using var plot = ParetoChart.Create(study);
                ChartFile.Save(plot, png, ParetoChart.Width, ParetoChart.Height);
                ctx.Out.WriteLine(csv);
                ctx.Out.WriteLine(md);
                ctx.Out.WriteLine(png);
            }
            return CliApp.ExitOk;
        });
        return command;
    }
}
