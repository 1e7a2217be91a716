using System.CommandLine;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Rendering.Json;
using XQuant.Sim.Rendering.Published;
using XQuant.Sim.Studies.Published;

namespace XQuant.Sim.Cli;

/// <summary>
/// xqsim published score|fit: predict published measured runs (vendor, MLPerf and framework benchmarks) with the
/// cost model at the datasheet and the engine-fitted tier, and fit the engine efficiencies.
/// </summary>
public static class PublishedCommand
{
    public static Command Create(CliContext ctx)
    {
        var command = new Command("published", "Score the cost model against published measured runs, and fit engine efficiencies on them.");
        command.Subcommands.Add(Score(ctx));
        command.Subcommands.Add(Fit(ctx));
        return command;
    }

    private static Command Score(CliContext ctx)
    {
        var file = new Argument<string>("FILE") { Description = "published-perf CSV (data/published/published-perf.csv format)" };
        var efficiency = new Option<string?>("--efficiency") { Description = "engine-efficiency file for the fitted tier (default data/efficiency.json)" };
        var outDir = new Option<string>("--out", "-o") { Description = "folder for scores.csv, summary.md and predicted-vs-measured.png", DefaultValueFactory = _ => "published-scores" };
        var json = JsonOutput.Option();
        json.Description = "print one JSON document on stdout (schemas/published-score.schema.json) and write no files";
        var command = new Command("score", "Predict every published row at the datasheet and the engine-fitted tier; write scores.csv, summary.md and a predicted-vs-measured chart.")
        {
            file, efficiency, outDir, json,
        };
        command.SetAction(p =>
        {
            string path = p.GetValue(file)!;
            string dir = p.GetValue(outDir)!;
            bool asJson = p.GetValue(json);
            if (!asJson)
            {
                CheckFolder(dir);
                OutputSet.CheckFolder(dir);
            }
            var rows = PublishedCsv.Load(path);
            var loaded = EngineEfficiencyJson.Load(p.GetValue(efficiency) ?? EngineEfficiencyJson.DefaultPath);
            var set = loaded with { SourcePath = Display(loaded.SourcePath) };
            var predictor = new AnalyticPredictor();
            var prepared = PublishedStudy.Prepare(rows, Profiles(), Models(), predictor);
            var scored = PublishedStudy.Score(prepared, set);
            var summary = ScoreSummary.Of(scored);
            if (asJson)
            {
                ctx.Out.Write(JsonDoc.Text(PublishedJson.Document(summary, scored, set.SourcePath)));
                return CliApp.ExitOk;
            }
            var written = OutputSet.Write(dir, PublishedReport.Files(summary, scored, path, set, predictor.Name));
            foreach (var r in summary.Unscored)
            {
                ctx.Out.WriteLine($"not scored: {r.Row.Id} ({r.Row.Hardware}, {r.Row.Engine}, {r.Row.Metric.Name()}): {r.Status}");
            }
            ctx.Out.WriteLine($"datasheet tier: datasheet profiles; fitted tier: engine-fitted, {set.SourcePath}"
                + (PublishedSummaryMarkdown.InSample(set, path) ? $" (fitted on these rows, so in-sample; 'xqsim published fit {path} --out FILE' prints leave-one-out)" : ""));
            ctx.Out.WriteLine($"wrote {string.Join(", ", written)}");
            ctx.Out.WriteLine(summary.Line());
            return CliApp.ExitOk;
        });
        return command;
    }

    private static Command Fit(CliContext ctx)
    {
        var file = new Argument<string>("FILE") { Description = "published-perf CSV to fit on" };
        var output = new Option<string>("--out", "-o") { Description = "engine-efficiency file to write", Required = true };
        var command = new Command("fit", "Fit engine efficiencies (DRAM fraction, compute fraction, fixed time per step and per layer) per engine family; prints in-sample and leave-one-out error.")
        {
            file, output,
        };
        command.SetAction(p =>
        {
            string path = p.GetValue(file)!;
            string outPath = p.GetValue(output)!;
            if (Directory.Exists(outPath))
            {
                throw new InputException("--out", "", $"'{JsonFields.Truncate(outPath)}' is a folder, expected a .json file");
            }
            OutputSet.CheckFile(outPath);
            var rows = PublishedCsv.Load(path);
            var prepared = PublishedStudy.Prepare(rows, Profiles(), Models(), new AnalyticPredictor());
            var points = PublishedStudy.FitPoints(prepared);
            if (points.Count == 0)
            {
                throw new InputException(path, "", "no row can be predicted, so nothing can be fitted");
            }
            var fit = EfficiencyFitter.Fit(points, fittedOn: $"{Path.GetFileName(path)}: {points.Count} of {rows.Count} rows predictable");
            ctx.Out.Write(PublishedFitText.Build(fit));
            var stats = fit.Set.Entries.ToDictionary(
                e => e.Label,
                e => e.Engine == EngineEfficiency.DefaultEngine
                    ? new EngineEfficiencyJson.EntryStats(fit.InSample.MedianAbs, fit.LeaveOneOut.MedianAbs, "pooled over every row; used for engines without an entry")
                    : new EngineEfficiencyJson.EntryStats(fit.InSampleOf(e.Label).MedianAbs, fit.LooOf(e.Engine).MedianAbs, null),
                StringComparer.Ordinal);
            OutputSet.WriteTo(outPath, OutputFile.Text(outPath, EngineEfficiencyJson.ToJson(fit.Set, stats)));
            ctx.Out.WriteLine($"wrote {outPath} ({fit.Set.Entries.Count} entries)");
            return CliApp.ExitOk;
        });
        return command;
    }

    /// <summary>A path under the current folder is shown relative to it, so committed reports do not carry a machine's layout.</summary>
    private static string Display(string path)
    {
        string relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }

    private static void CheckFolder(string dir)
    {
        if (File.Exists(dir))
        {
            throw new InputException("--out", "", $"'{JsonFields.Truncate(dir)}' is a file, expected a folder");
        }
    }

    private static Dictionary<string, HardwareProfile> Profiles() =>
        HardwareProfileLoader.LoadAll().ToDictionary(h => h.Id, StringComparer.Ordinal);

    private static Dictionary<string, ModelConfig> Models() =>
        ModelConfigLoader.LoadAll().ToDictionary(m => m.Id, StringComparer.Ordinal);
}
