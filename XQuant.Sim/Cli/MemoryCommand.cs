using System.CommandLine;
using XQuant.Sim.Domain.Memory;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Schemes;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Rendering.Json;
using XQuant.Sim.Rendering.Tables;

namespace XQuant.Sim.Cli;

/// <summary>xqsim memory: exact cache bytes of every scheme for one model, batch and context.</summary>
public static class MemoryCommand
{
    public const string DefaultSchemes = "fp16,kivi:4,kivi:2,xquant:4,xquant:3,xquant-cl:3,xquant-cl:2,xquant-gqa:4,xquant-gqa:2,xquant-cl-gqa:2";

    public static Command Create(CliContext ctx)
    {
        var model = CliOptions.Model();
        var schemes = CliOptions.Schemes(DefaultSchemes);
        var context = CliOptions.Context("4096");
        var batch = CliOptions.Batch("1");
        var csv = new Option<string?>("--csv") { Description = "also write the table as CSV to this file" };
        var json = JsonOutput.Option();
        var command = new Command("memory", "Exact cache bytes per scheme: payload, metadata, FP16 window, accumulator; normalized size and savings vs FP16 KV.")
        {
            model, schemes, context, batch, csv, json,
        };
        command.SetAction(p =>
        {
            if (p.GetValue(csv) is { } csvTarget)
            {
                OutputSet.CheckFile(csvTarget);
            }
            var m = ModelConfigLoader.Resolve(p.GetValue(model)!);
            var list = SchemeRegistry.ParseFor(MlaDefaults.Value(p, schemes, m), m);
            long l = CliOptions.PositiveOne(p.GetValue(context)!, "--context", 1L << 40);
            long b = CliOptions.PositiveOne(p.GetValue(batch)!, "--batch", 1L << 30);
            var rows = list.Select(s => MemoryRow.Compute(m, s, b, l)).ToList();
            string? csvPath = p.GetValue(csv);
            if (p.GetValue(json))
            {
                if (csvPath is not null)
                {
                    OutputSet.WriteTo(csvPath, OutputFile.Csv(csvPath, MemoryTable.Build(rows, exact: true)));
                }
                ctx.Out.Write(JsonDoc.Text(MemoryJson.Document(rows)));
                return CliApp.ExitOk;
            }
            ctx.Out.WriteLine($"model {m.Id}: {m.Layers} layers, d={m.HiddenSize}, {m.Heads} heads, {m.KvHeads} KV heads ({m.AttentionKind}), {(m.Mla is { } mla ? $"latent + RoPE key {mla.LatentWidth}" : $"d_kv={m.KvDim}")}; batch {b}, context {l} tokens");
            ctx.Out.WriteLine();
            ctx.Out.Write(MemoryTable.Build(rows, exact: false).ToConsole());
            foreach (var row in rows)
            {
                foreach (string w in row.Warnings)
                {
                    ctx.Out.WriteLine($"note: {row.Scheme.Spec}: {w}");
                }
            }
            ctx.Out.WriteLine();
            ctx.Out.WriteLine("normalized = paper-convention bytes per token / FP16 KV bytes per token (payload + scale/zero, no window, no accumulator).");
            ctx.Out.WriteLine("savings_paper = 1 / normalized rounded to 2 decimals (how the paper quotes it). total_bytes includes window and accumulator.");
            if (csvPath is not null)
            {
                OutputSet.WriteTo(csvPath, OutputFile.Csv(csvPath, MemoryTable.Build(rows, exact: true)));
                ctx.Out.WriteLine($"wrote {csvPath}");
            }
            return CliApp.ExitOk;
        });
        return command;
    }
}
