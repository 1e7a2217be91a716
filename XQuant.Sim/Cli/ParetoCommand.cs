using System.CommandLine;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Rendering.Json;
using XQuant.Sim.Rendering.Reports;
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
        var json = JsonOutput.Option();
        var command = new Command("pareto", "Memory x latency x error per scheme: cost model for memory and time, quality figures tagged with their source; the non-dominated schemes marked.")
        {
            hardware, model, dataset, quality, context, batch, outDir, json,
        };
        command.SetAction(p =>
        {
            if (p.GetValue(outDir) is { } outFolder)
            {
                OutputSet.CheckFolder(outFolder);
            }
            var hw = HardwareProfileLoader.Resolve(p.GetValue(hardware)!);
            var m = ModelConfigLoader.Resolve(p.GetValue(model)!);
            var points = PaperQuality.Load(p.GetValue(quality));
            string ds = p.GetValue(dataset)!;
            var datasets = points.Select(q => q.Dataset).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (!datasets.Contains(ds))
            {
                throw new InputException("--dataset", "", $"'{JsonFields.Truncate(ds)}' has no quality data (allowed: {string.Join(", ", datasets)})");
            }
            double b = CliOptions.PositiveOne(p.GetValue(batch)!, "--batch", 1L << 30);
            double l = CliOptions.PositiveOne(p.GetValue(context)!, "--context", 1L << 40);
            var study = ParetoStudy.Build(m, hw, points, ds, b, l);
            if (p.GetValue(json))
            {
                if (p.GetValue(outDir) is { } jsonDir)
                {
                    OutputSet.Write(jsonDir, ParetoReport.Files(study));
                }
                ctx.Out.Write(JsonDoc.Text(ParetoJson.Document(study)));
                return CliApp.ExitOk;
            }
            ctx.Out.WriteLine(ParetoReport.Headline(study));
            ctx.Out.WriteLine();
            ctx.Out.Write(ParetoTable.Build(study, exact: false).ToConsole());
            if (p.GetValue(outDir) is { } dir)
            {
                foreach (string path in OutputSet.Write(dir, ParetoReport.Files(study)))
                {
                    ctx.Out.WriteLine(path);
                }
            }
            return CliApp.ExitOk;
        });
        return command;
    }
}
