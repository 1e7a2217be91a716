using System.CommandLine;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Domain.Schemes;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Rendering.Json;
using XQuant.Sim.Rendering.Tables;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Cli;

/// <summary>xqsim ledger: one case, op by op: FLOPs, bytes by location, roofline time, bound and intensity.</summary>
public static class LedgerCommand
{
    public static Command Create(CliContext ctx)
    {
        var hardware = CliOptions.Hardware();
        var model = CliOptions.Model();
        var scheme = new Option<string>("--scheme") { Description = "one cache scheme, e.g. xquant:4", DefaultValueFactory = _ => "fp16" };
        var context = CliOptions.Context("4096");
        var batch = CliOptions.Batch("1");
        var weights = WorkloadOptions.Weights();
        var phase = WorkloadOptions.Phase();
        var reserve = WorkloadOptions.Reserve();
        var engine = EngineOptions.Engine();
        var efficiency = EngineOptions.Efficiency();
        var tp = ParallelOptions.Tp();
        var pp = ParallelOptions.Pp();
        var micro = ParallelOptions.MicroBatches();
        var ep = ParallelOptions.Ep();
        var json = JsonOutput.Option();
        var spec = WorkloadOptions.Spec();
        var routing = WorkloadOptions.MoeRouting();
        var command = new Command("ledger", "Explain one case: the per-operator ledger with FLOPs, bytes, roofline time and bound, then step totals and capacity.")
        {
            hardware, model, scheme, context, batch, weights, phase, reserve, engine, efficiency, tp, pp, micro, ep, json, spec, routing,
        };
        command.SetAction(p =>
        {
            var (hw, eff) = EngineOptions.Apply(HardwareProfileLoader.Resolve(p.GetValue(hardware)!), p.GetValue(engine)!, p.GetValue(efficiency));
            var m = ModelConfigLoader.Resolve(p.GetValue(model)!);
            var s = SchemeRegistry.ParseFor(MlaDefaults.Value(p, scheme, m, "mla"), m, "--scheme");
            var w = new Workload(
                m, hw, s[0], WorkloadOptions.ParseWeights(p.GetValue(weights)!),
                CliOptions.PositiveOne(p.GetValue(batch)!, "--batch", 1L << 30),
                CliOptions.PositiveOne(p.GetValue(context)!, "--context", 1L << 40),
                WorkloadOptions.ParsePhase(p.GetValue(phase)!),
                RuntimeReserveFraction: WorkloadOptions.ParseReserve(p.GetValue(reserve)),
                Parallel: ParallelOptions.Parse(p.GetValue(tp), p.GetValue(pp), p.GetValue(micro), m, s, hw, p.GetValue(ep)));
            w = WorkloadOptions.ApplySpecAndRouting(w, p.GetValue(spec), p.GetValue(routing));
            var result = CaseCoster.Cost(w);
            if (p.GetValue(json))
            {
                ctx.Out.Write(JsonDoc.Text(LedgerJson.Document(result, eff.IsDatasheet ? null : eff.OverheadSec(m.Layers))));
                return CliApp.ExitOk;
            }
            Print(ctx.Out, result);
            ParallelSummary.Print(ctx.Out, result);
            ctx.Out.WriteLine(EngineOptions.Describe(eff));
            if (!eff.IsDatasheet)
            {
                double fixedSec = eff.OverheadSec(m.Layers);
                ctx.Out.WriteLine($"step time with the engine's fixed time ({Formats.Seconds(fixedSec)}): serial {Formats.Seconds(result.Step.SerialSec + fixedSec)}, overlapped {Formats.Seconds(result.Step.OverlappedSec + fixedSec)}");
            }
            return CliApp.ExitOk;
        });
        return command;
    }

    public static void Print(TextWriter o, CaseResult r)
    {
        var w = r.Workload;
        var step = r.Step;
        o.WriteLine($"{w.Phase.ToString().ToLowerInvariant()} step: {w.Model.Id} on {w.Hardware.Id} ({w.Hardware.Provenance.Name()} profile), scheme {w.Scheme.Spec}, weights {w.Weights.Name()}, batch {Formats.Int(w.Batch)}, context {Formats.Int(w.ContextTokens)}");
        o.WriteLine();
        o.Write(LedgerTable.Build(step, exact: false).ToConsole());
        o.WriteLine();
        o.WriteLine($"FLOPs {Formats.Sig(step.Flops)}, DRAM bytes {Formats.Bytes(step.DramBytes)}, on-chip bytes {Formats.Bytes(step.OnChipBytes)}, intensity {Formats.Sig(step.ArithmeticIntensity)} FLOP/byte");
        o.WriteLine($"step time, serial (sum of per-op roofline times): {Formats.Seconds(step.SerialSec)}");
        o.WriteLine($"step time, overlapped (max(compute {Formats.Seconds(step.ComputeSec)}, memory {Formats.Seconds(step.MemorySec)})): {Formats.Seconds(step.OverlappedSec)}  [{step.Bound.ToString().ToLowerInvariant()}-bound]");
        if (r.Speculation is { } sp)
        {
            var spec = sp.Spec;
            o.WriteLine($"speculative step ({spec.Spec}): the ledger above is the verify step, {spec.QueriesPerSequence} queries per sequence");
            o.WriteLine($"   draft: {(sp.DraftSteps.Count == 0 ? "not costed" : $"{sp.DraftSteps.Count} steps, overlapped {Formats.Seconds(sp.DraftOverlappedSec)}, serial {Formats.Seconds(sp.DraftSerialSec)}")}");
            o.WriteLine($"   expected tokens per step E = (1 - a^(k+1)) / (1 - a) = {Formats.Sig(sp.ExpectedTokens)}");
            o.WriteLine($"   per-token time = (verify + draft) / E: overlapped {Formats.Seconds(sp.PerTokenOverlappedSec)}, serial {Formats.Seconds(sp.PerTokenSerialSec)}");
        }
        if (w.Phase == Phase.Decode)
        {
            o.WriteLine($"decode: {Formats.Sig(r.TokensPerSecOverlapped)} tokens/s (overlapped), {Formats.Sig(r.TokensPerSecSerial)} tokens/s (serial)");
        }
        var c = r.Capacity;
        o.WriteLine($"memory: weights {Formats.Bytes(c.WeightBytes)} + cache {Formats.Bytes(c.CacheBytes)} + activations {Formats.Bytes(c.ActivationBytes)} + reserve {Formats.Bytes(c.ReserveBytes)} = {Formats.Bytes(c.UsedBytes)} of {Formats.Bytes(c.DeviceBytes)} ({(c.Fits ? "fits" : "does NOT fit")})");
        o.WriteLine($"largest batch at this context: {Formats.Int(c.MaxBatchAtContext)}; largest context at this batch: {Formats.Int(c.MaxContextAtBatch)} tokens");
        if (r.OverlappedSecAtMaxBatch is not null)
        {
            o.WriteLine($"decode at the largest batch: {Formats.Sig(r.TokensPerSecAtMaxBatch)} tokens/s (overlapped)");
        }
        foreach (string note in r.Notes)
        {
            o.WriteLine($"note: {note}");
        }
        o.WriteLine($"provenance: {step.Provenance.Name()} ({SourcePaths.Display(w.Hardware.SourcePath)})");
    }
}
