using System.CommandLine;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Rendering.Export;
using XQuant.Sim.Rendering.Reports;
using XQuant.Sim.Studies.Scenarios;
using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Cli;

/// <summary>xqsim run: load and validate a scenario, cost every case, export, print the paths written.</summary>
public static class RunCommand
{
    public static Command Create(CliContext ctx)
    {
        var file = new Argument<string>("scenario") { Description = "scenario JSON file, e.g. scenarios/quickstart.json" };
        var outDir = new Option<string?>("--out", "-o") { Description = "output folder (default: out/<scenario name>)" };
        var detail = new Option<string>("--detail") { Description = "summary (one CSV row per case) or ops (also one row per case and operator)", DefaultValueFactory = _ => "summary" };
        var engine = EngineOptions.Engine();
        var efficiency = EngineOptions.Efficiency();
        var yes = new Option<bool>("--yes") { Description = $"run a sweep above {SweepLimit.MaxCases} cases (the count and CSV size are printed first)" };
        var threadsOption = ThreadsOption.Create();
        var command = new Command("run", "Run a scenario: expand the sweep, cost every case, write CSV / Markdown / charts.") { file, outDir, detail, engine, efficiency, yes, threadsOption };
        command.SetAction(p =>
        {
            string detailText = p.GetValue(detail)!;
            if (detailText is not ("summary" or "ops"))
            {
                throw new InputException("--detail", "", $"'{JsonFields.Truncate(detailText)}' is not allowed (allowed: summary, ops)");
            }
            int threads = ThreadsOption.Parse(p.GetValue(threadsOption));
            var scenario = ScenarioLoader.Load(ScenarioLoader.Resolve(p.GetValue(file)!));
            if (!string.Equals(p.GetValue(engine), EngineOptions.Datasheet, StringComparison.OrdinalIgnoreCase))
            {
                var derated = scenario.Hardware.Select(h => EngineOptions.Apply(h, p.GetValue(engine)!, p.GetValue(efficiency))).ToList();
                scenario = scenario with { Hardware = derated.Select(d => d.Profile).ToList() };
                foreach (var (profile, applied) in derated)
                {
                    ctx.Out.WriteLine($"{profile.Id}: {EngineOptions.Describe(applied)}; run applies the derated roofs, not the fixed time per step");
                }
            }
            SweepLimit.Check(ctx, scenario, detailText == "ops", p.GetValue(yes));
            string dir = p.GetValue(outDir) ?? Path.Combine("out", scenario.Name);
            // One set for the whole run, begun before any costing: an unwritable folder fails now, and the files
            // appear together at the end (or, on an error or a signal, none of them).
            using var output = OutputSet.Begin(dir);
            var progress = new Progress(ctx.ProgressToTerminal ? ctx.Error : null, "costing");
            if (scenario.CaseCount > ScenarioRunner.StreamingThreshold)
            {
                return RunStreaming(ctx, scenario, output, detailText == "ops", progress, threads);
            }
            var run = ScenarioRunner.Run(scenario, threads, detailText == "ops", progress.Report, ctx.Cancel);
            progress.Done();
            foreach (var group in run.Cases.GroupBy(c => (c.Workload.Model.Id, c.Workload.Hardware.Id, c.Workload.Weights, c.Workload.Phase)))
            {
                ctx.Out.WriteLine($"{group.Key.Item1} on {group.Key.Item2}, {group.Key.Weights.ToString().ToLowerInvariant()} weights, {group.Key.Phase.ToString().ToLowerInvariant()}:");
                foreach (string line in VerdictText.Lines(Verdict.Decide(group), bold: false))
                {
                    ctx.Out.WriteLine($"  {line}");
                }
            }
            ctx.Out.WriteLine($"{run.Cases.Count} cases costed; step times are the overlapped roofline form on {string.Join(", ", scenario.Hardware.Select(h => $"{h.Id} ({h.Provenance.Name()})").Distinct())} profiles.");
            // Where each profile really came from: a label says "datasheet", the path says whose file it was.
            foreach (var h in scenario.Hardware.DistinctBy(h => h.Id))
            {
                ctx.Out.WriteLine($"profile {h.Id}: {TextSafety.OneLine(h.SourcePath.Length > 0 ? h.SourcePath : "(built in)")}");
            }
            var written = new List<string>();
            foreach (var exporter in Exporters.For(scenario))
            {
                ctx.Cancel.ThrowIfCancellationRequested();
                written.AddRange(output.Write(exporter.Files(run)));
            }
            written.AddRange(RunServing.Run(ctx, scenario, output, threads));
            ctx.Cancel.ThrowIfCancellationRequested();
            output.Commit();
            ctx.Out.WriteLine("Files written:");
            foreach (string path in written)
            {
                ctx.Out.WriteLine(path);
            }
            return CliApp.ExitOk;
        });
        return command;
    }

    /// <summary>Large sweeps: CSV rows stream to disk as cases are costed; summaries that need every result are skipped.</summary>
    private static int RunStreaming(CliContext ctx, Scenario scenario, OutputFolder output, bool detailOps, Progress progress, int threads)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var staged = CsvExporter.ExportRendered(ScenarioRunner.Stream(scenario, c => CsvExporter.Render(c, detailOps), threads, progress.Report, ctx.Cancel), output.Staging, detailOps,
            plan: scenario.TensorParallel * scenario.PipelineParallel > 1);
        progress.Done();
        ctx.Cancel.ThrowIfCancellationRequested();
        var paths = staged.Select(p => output.Adopt(Path.GetRelativePath(output.Staging, p))).ToList();
        output.Commit();
        double seconds = clock.Elapsed.TotalSeconds;
        long peakRss = Environment.WorkingSet;
        using (var self = System.Diagnostics.Process.GetCurrentProcess())
        {
            peakRss = self.PeakWorkingSet64;
        }
        ctx.Out.WriteLine($"{scenario.CaseCount} cases costed in {Formats.Fixed(seconds, 1)} s ({Formats.Int(scenario.CaseCount / seconds)} cases/s on {threads} thread{(threads == 1 ? "" : "s")}), streamed to CSV; peak RSS {Formats.Bytes(peakRss)}.");
        ctx.Out.WriteLine($"More than {ScenarioRunner.StreamingThreshold} cases: summary.md and charts are skipped (they need every result in memory). Files written:");
        foreach (string path in paths)
        {
            ctx.Out.WriteLine(path);
        }
        return CliApp.ExitOk;
    }
}
