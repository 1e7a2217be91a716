using System.CommandLine;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Domain.Schemes;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Rendering.Json;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Rendering.Tables;

namespace XQuant.Sim.Cli;

/// <summary>xqsim breakeven: up to which context remat hides, where it crosses KV quantization, and the ridge it needs.</summary>
public static class BreakEvenCommand
{
    public static Command Create(CliContext ctx)
    {
        var hardware = CliOptions.Hardware();
        var model = CliOptions.Model();
        var scheme = new Option<string>("--scheme") { Description = "a rematerializing scheme, e.g. xquant:4", DefaultValueFactory = _ => "xquant:4" };
        var versus = new Option<string?>("--versus") { Description = "the scheme to compare against (default: kivi at the same bits; mla at the same bits on an MLA model)" };
        var context = CliOptions.Context("4096");
        var batch = CliOptions.Batch("1");
        var weights = WorkloadOptions.Weights();
        var tp = ParallelOptions.Tp();
        var pp = ParallelOptions.Pp();
        var json = JsonOutput.Option();
        var spec = WorkloadOptions.Spec();
        var routing = WorkloadOptions.MoeRouting();
        var command = new Command("breakeven", "Break-even of rematerialization: hiding context, crossover against KV quantization, ridge point needed.")
        {
            hardware, model, scheme, versus, context, batch, weights, tp, pp, json, spec, routing,
        };
        command.SetAction(p =>
        {
            var hw = HardwareProfileLoader.Resolve(p.GetValue(hardware)!);
            var m = ModelConfigLoader.Resolve(p.GetValue(model)!);
            var s = SchemeRegistry.ParseFor(p.GetValue(scheme)!, m, "--scheme")[0];
            string versusText = p.GetValue(versus) ?? BreakEven.DefaultVersus(s, m);
            var v = SchemeRegistry.ParseFor(versusText, m, "--versus")[0];
            var wp = WorkloadOptions.ParseWeights(p.GetValue(weights)!);
            double b = CliOptions.PositiveOne(p.GetValue(batch)!, "--batch", 1L << 30);
            double l = CliOptions.PositiveOne(p.GetValue(context)!, "--context", 1L << 40);
            var w = new Workload(m, hw, s, wp, b, l, Parallel: ParallelOptions.Parse(p.GetValue(tp), p.GetValue(pp), 0, m, [s, v], hw));
            if (p.GetValue(spec) is { } specText && specText.Split(',').Any(x => (x.TrimStart().StartsWith("k=", StringComparison.Ordinal) || x.TrimStart().StartsWith("accept=", StringComparison.Ordinal)) && x.Contains('/', StringComparison.Ordinal)))
            {
                // A sweep over k and accept: one table row per configuration.
                w = WorkloadOptions.ApplySpecAndRouting(w, null, p.GetValue(routing));
                var rows = SpecDecodingText.ParseSweep(specText, m, "--spec")
                    .Select(x => SpecBreakEvenRow.For(w with { Speculation = x }, w with { Scheme = v, Speculation = x }))
                    .ToList();
                ctx.Out.WriteLine($"break-even of {s.Spec} vs {v.Spec} under speculative decoding: {m.Id} on {hw.Id} ({hw.Provenance.Name()}), weights {wp.Name()}, batch {Formats.Int(b)}; overlapped form, per-token times = (verify + draft) / E");
                ctx.Out.WriteLine();
                ctx.Out.Write(TextTable.Build(SpecBreakEvenTable.Columns(s.Spec, v.Spec, l), rows).ToMarkdown());
                var notes = CaseCoster.Cost(w with { Speculation = rows[^1].Spec }).Speculation!.Notes;
                foreach (string note in notes.Skip(1))
                {
                    ctx.Out.WriteLine($"note: {note}");
                }
                return CliApp.ExitOk;
            }
            w = WorkloadOptions.ApplySpecAndRouting(w, p.GetValue(spec), p.GetValue(routing));
            var result = BreakEven.Analyze(w, w with { Scheme = v });
            if (p.GetValue(json))
            {
                ctx.Out.Write(JsonDoc.Text(BreakEvenJson.Document(result)));
                return CliApp.ExitOk;
            }
            Print(ctx.Out, result);
            return CliApp.ExitOk;
        });
        return command;
    }

    public static void Print(TextWriter o, BreakEvenResult r)
    {
        var w = r.Workload;
        o.WriteLine($"break-even: {w.Scheme.Spec} vs {r.Versus.Scheme.Spec}, {w.Model.Id} on {w.Hardware.Id} ({w.Hardware.Provenance.Name()}, {SourcePaths.Display(w.Hardware.SourcePath)}), weights {w.Weights.Name()}, batch {Formats.Int(w.Batch)}");
        o.WriteLine("all times: overlapped step form, max(sum FLOPs/peak, sum bytes/bandwidth)");
        if (w.Speculation is { } spec)
        {
            o.WriteLine($"speculative decoding {spec.Spec}: times are per token, (verify + draft) / E with E = {Formats.Sig(spec.ExpectedTokensPerStep)}; l_hide counts verify and draft compute and memory");
        }
        o.WriteLine();
        o.WriteLine("1. Remat hides under the weight and cache stream up to");
        o.WriteLine($"   ledger:      l_hide = {Show(r.HideContextTokens)} tokens   (largest l with T_compute(l) <= T_memory(l), bisection on the full ledger)");
        o.WriteLine($"   closed form: l* = W_layer x ridge / (b x F_remat) = {Formats.Sig(r.WeightBytesPerLayer)} B x {Formats.Sig(r.DeviceRidgeFlopsPerByte)} FLOP/B / ({Formats.Int(w.Batch)} x {Formats.Sig(r.RematFlopsPerTokenPerLayer)} FLOP) = {Show(r.HideContextClosedForm)} tokens");
        o.WriteLine("                (weights of one layer streamed at DRAM bandwidth vs remat FLOPs per cached token per layer; ignores every other op; shrinks as 1/batch)");
        o.WriteLine();
        o.WriteLine($"2. Against {r.Versus.Scheme.Spec} at batch {Formats.Int(w.Batch)}:");
        if (r.Crossovers.Count == 0)
        {
            var faster = SpecStep.PerTokenOverlappedSec(w with { ContextTokens = 1024 }) < SpecStep.PerTokenOverlappedSec(r.Versus with { ContextTokens = 1024 });
            o.WriteLine($"   no crossover between 1 and {Formats.Int(BreakEven.ContextLimit)} tokens: {w.Scheme.Spec} is {(faster ? "faster" : "slower")} throughout");
        }
        foreach (var c in r.Crossovers)
        {
            o.WriteLine($"   crossover at l = {Formats.Int(c.At)} tokens: {w.Scheme.Spec} is {(c.SchemeFasterBelow ? "faster up to there, slower above" : "slower up to there, faster above")}");
        }
        o.WriteLine($"   at l = {Formats.Int(w.ContextTokens)}: {w.Scheme.Spec} {Formats.Seconds(r.SchemeStepSec)} vs {r.Versus.Scheme.Spec} {Formats.Seconds(r.VersusStepSec)} per {(w.Speculation is null ? "step" : "token")}");
        o.WriteLine($"   over batch at l = {Formats.Int(w.ContextTokens)}:");
        if (r.BatchCrossovers.Count == 0)
        {
            bool faster = SpecStep.PerTokenOverlappedSec(w with { Batch = 1 }) < SpecStep.PerTokenOverlappedSec(r.Versus with { Batch = 1 });
            o.WriteLine($"   no crossover between batch 1 and {Formats.Int(BreakEven.BatchLimit)}: {w.Scheme.Spec} is {(faster ? "faster" : "slower")} throughout");
        }
        foreach (var c in r.BatchCrossovers)
        {
            o.WriteLine($"   crossover at batch {Formats.Int(c.At)}: {w.Scheme.Spec} is {(c.SchemeFasterBelow ? "faster up to there, slower above" : "slower up to there, faster above")}");
        }
        if (r.SpecCrossovers is { } sc)
        {
            o.WriteLine($"   speculation ({w.Speculation!.Spec}) against plain decode of {w.Scheme.Spec}:");
            if (sc.Count == 0)
            {
                bool pays = SpecStep.PerTokenOverlappedSec(w with { ContextTokens = 1024 }) < Roofline.Step(w with { Speculation = null, ContextTokens = 1024 }).OverlappedSec;
                o.WriteLine($"   no crossover between 1 and {Formats.Int(BreakEven.ContextLimit)} tokens: speculation {(pays ? "pays" : "does not pay")} throughout");
            }
            foreach (var c in sc)
            {
                o.WriteLine($"   crossover at l = {Formats.Int(c.At)} tokens: speculation {(c.SchemeFasterBelow ? "pays up to there, not above" : "does not pay up to there, pays above")}");
            }
        }
        o.WriteLine();
        o.WriteLine("3. Ridge point a device would need for remat to win outright at this batch and context:");
        o.WriteLine($"   R_needed = F_{w.Scheme.Family} / B_{r.Versus.Scheme.Family} = {Formats.Sig(r.RidgeNeededFlopsPerByte)} FLOP/byte  (all FLOPs of the scheme's step over all DRAM bytes of the other's)");
        o.WriteLine($"   {w.Hardware.Id} ridge ({w.Scheme.RematDType.Name()} peak / DRAM bandwidth): {Formats.Sig(r.DeviceRidgeFlopsPerByte)} FLOP/byte -> {(r.DeviceRidgeFlopsPerByte >= r.RidgeNeededFlopsPerByte ? "enough" : $"short by {Formats.Sig(r.RidgeNeededFlopsPerByte / r.DeviceRidgeFlopsPerByte)}x")}");
    }

    private static string Show(double tokens) => double.IsPositiveInfinity(tokens) ? $"> {Formats.Int(BreakEven.ContextLimit)} (never compute-bound)" : Formats.Int(tokens);
}
