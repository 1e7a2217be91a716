using System.CommandLine;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Schemes;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Rendering.Json;
using XQuant.Sim.Rendering.Reports;
using XQuant.Sim.Studies.Comparison;

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
        var tp = ParallelOptions.Tp();
        var pp = ParallelOptions.Pp();
        var json = JsonOutput.Option();
        var threadsOption = ThreadsOption.Create();
        var spec = WorkloadOptions.Spec();
        var routing = WorkloadOptions.MoeRouting();
        var command = new Command("compare", "Compare devices for one model: tables, charts, verdict per device; writes report.md, a self-contained report.html and report.csv.")
        {
            hardware, model, schemes, context, batch, weights, reserve, outDir, engine, efficiency, tp, pp, json, threadsOption, spec, routing,
        };
        command.SetAction(p =>
        {
            OutputSet.CheckFolder(p.GetValue(outDir)!);
            int threads = ThreadsOption.Parse(p.GetValue(threadsOption));
            var m = ModelConfigLoader.Resolve(p.GetValue(model)!);
            var derated = WorkloadOptions.ParseHardwareList(p.GetValue(hardware)!).Select(h => EngineOptions.Apply(h, p.GetValue(engine)!, p.GetValue(efficiency))).ToList();
            var request = new CompareRequest(
                m,
                derated.Select(d => d.Profile).ToList(),
                SchemeRegistry.ParseFor(MlaDefaults.Value(p, schemes, m), m),
                CliOptions.PositiveList(p.GetValue(context)!, "--context", 1L << 40).Distinct().Select(v => (double)v).ToList(),
                CliOptions.PositiveList(p.GetValue(batch)!, "--batch", 1L << 30).Distinct().Select(v => (double)v).ToList(),
                WorkloadOptions.ParseWeights(p.GetValue(weights)!),
                WorkloadOptions.ParseReserve(p.GetValue(reserve)),
                p.GetValue(tp),
                p.GetValue(pp));
            var specApplied = WorkloadOptions.ApplySpecAndRouting(new Domain.CostModel.Workload(m, request.Hardware[0], request.Schemes[0], request.Weights, 1, 1), p.GetValue(spec), p.GetValue(routing));
            request = request with { Speculation = specApplied.Speculation, Routing = specApplied.Routing };
            foreach (var hw in request.Hardware)
            {
                ParallelOptions.Parse(request.TensorParallel, request.PipelineParallel, 0, m, request.Schemes, hw);
            }
            if (p.GetValue(json))
            {
                // One document on stdout and nothing else: the report files are the text form of the same result.
                ctx.Out.Write(JsonDoc.Text(CompareJson.Document(CompareStudy.Run(request, threads))));
                return CliApp.ExitOk;
            }
            foreach (var (profile, applied) in derated)
            {
                ctx.Out.WriteLine($"{profile.Id}: " + EngineOptions.Describe(applied) + (applied.IsDatasheet ? "" : "; compare applies the derated roofs, not the fixed time per step"));
            }
            foreach (string path in OutputSet.Write(p.GetValue(outDir)!, CompareReport.Files(CompareStudy.Run(request, threads))))
            {
                ctx.Out.WriteLine(path);
            }
            return CliApp.ExitOk;
        });
        return command;
    }
}
