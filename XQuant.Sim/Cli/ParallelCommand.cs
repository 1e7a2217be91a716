using System.CommandLine;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Schemes;
using XQuant.Sim.Rendering.Tables;
using XQuant.Sim.Studies.TensorParallel;

namespace XQuant.Sim.Cli;

/// <summary>xqsim parallel: cache layouts under tensor parallelism, models x nodes x TP x schemes, as one table.</summary>
public static class ParallelCommand
{
    public static Command Create(CliContext ctx)
    {
        var models = new Option<string>("--model", "-m") { Description = "model ids, comma-separated", Required = true };
        var hardware = CliOptions.Hardware();
        var tp = new Option<string>("--tp") { Description = "tensor-parallel degrees, comma-separated", DefaultValueFactory = _ => "1,2,4,8" };
        var schemes = CliOptions.Schemes("fp16,kivi:2,xquant:2,xquant:2,tp=tokens,xquant-gqa:2,xquant-gqa:2,svd=per-rank,xquant-cl:2,xquant-cl:2,tp=tokens,xquant-cl-gqa:2");
        var context = CliOptions.Context("4096");
        var batch = CliOptions.Batch("16");
        var weights = WorkloadOptions.Weights();
        var markdown = new Option<bool>("--markdown") { Description = "print the table as Markdown with its legend" };
        var command = new Command("parallel", "Cache layouts under tensor parallelism: per-rank cache, max batch, decode step and communication share, per model, node, TP and scheme.")
        {
            models, hardware, tp, schemes, context, batch, weights, markdown,
        };
        command.SetAction(p =>
        {
            var ms = p.GetValue(models)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(id => ModelConfigLoader.Resolve(id, "--model")).ToList();
            var hws = p.GetValue(hardware)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(id => HardwareProfileLoader.Resolve(id)).ToList();
            var tps = CliOptions.PositiveList(p.GetValue(tp)!, "--tp", 1024).Select(v => (int)v).Distinct().ToList();
            var specs = ms.Select(m => SchemeRegistry.ParseFor(p.GetValue(schemes)!, m)).ToList()[0].Select(s => s.Spec).ToList();
            var request = new ParallelRequest(ms, hws, tps, specs,
                CliOptions.PositiveOne(p.GetValue(batch)!, "--batch", 1L << 30),
                CliOptions.PositiveOne(p.GetValue(context)!, "--context", 1L << 40),
                WorkloadOptions.ParseWeights(p.GetValue(weights)!));
            var table = ParallelTable.Build(ParallelStudy.Run(request));
            ctx.Out.Write(p.GetValue(markdown) ? table.ToMarkdown() : table.ToConsole());
            var links = hws.Select(h => Domain.Parallelism.Link.From(h.Interconnect) is { } l ? $"{h.Id}: {l.Describe()}" : $"{h.Id}: no interconnect block").ToList();
            ctx.Out.WriteLine();
            ctx.Out.WriteLine($"batch {request.Batch}, context {request.ContextTokens}, weights {request.Weights.Name()}, PP 1; datasheet roofline, ring all-reduce alpha-beta costs; links: {string.Join("; ", links)}");
            return CliApp.ExitOk;
        });
        return command;
    }
}
