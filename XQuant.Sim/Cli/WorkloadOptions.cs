using System.CommandLine;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Cli;

/// <summary>Options that pin down a workload besides model, hardware and scheme.</summary>
public static class WorkloadOptions
{
    public static Option<string> Weights() => new("--weights", "-w")
    {
        Description = $"weight precision: {string.Join(", ", WeightPrecisions.Names)} (int4 = weight-only, group 128: 4.125 bits; nvfp4 4.5 and mxfp4 4.25 bits, FP4 activations unless ,a16); int4/int8 take ,bits=B for GGUF-style widths (q4_0 = int4,bits=4.5, q8_0 = int8,bits=8.5, Q4_K_M about 4.85)",
        DefaultValueFactory = _ => "bf16",
    };

    public static Option<string> Phase() => new("--phase")
    {
        Description = "decode (one new token over the context) or prefill (a prompt of --context tokens)",
        DefaultValueFactory = _ => "decode",
    };

    public static Option<double> Reserve() => new("--reserve")
    {
        Description = "fraction of device memory kept for the runtime (default 0.10, like vLLM's 0.9 utilization)",
        DefaultValueFactory = _ => Workload.DefaultRuntimeReserveFraction,
    };

    public static Option<string?> Spec() => new("--spec")
    {
        Description = $"speculative decoding / MTP: {SpecDecodingText.Grammar} (verify k + 1 tokens per step; per-token time = (verify + draft) / ((1 - a^(k+1)) / (1 - a)))",
    };

    public static Option<string?> MoeRouting() => new("--moe-routing")
    {
        Description = $"MoE expert routing for the weights a step streams: {MoeRoutingText.Grammar} (default uniform)",
    };

    /// <summary>The workload with --spec and --moe-routing applied (each null when the option is absent); all problems at once.</summary>
    public static Workload ApplySpecAndRouting(Workload w, string? spec, string? routing)
    {
        ArgumentNullException.ThrowIfNull(w);
        var errors = new List<InputError>();
        SpecDecoding? s = null;
        MoeRouting? r = null;
        if (spec is not null)
        {
            try
            {
                s = SpecDecodingText.Parse(spec, w.Model, "--spec");
                if (w.Phase != Domain.CostModel.Phase.Decode)
                {
                    errors.Add(new InputError("--spec", "", "speculative decoding applies to decode steps; drop --phase prefill or --spec"));
                }
            }
            catch (InputException e)
            {
                errors.AddRange(e.Errors);
            }
        }
        if (routing is not null)
        {
            try
            {
                r = MoeRoutingText.Parse(routing, "--moe-routing");
                if (w.Model.Moe is null)
                {
                    errors.Add(new InputError("--moe-routing", "", $"{w.Model.Id} is dense: routing applies to mixture-of-experts models"));
                }
            }
            catch (InputException e)
            {
                errors.AddRange(e.Errors);
            }
        }
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }
        return w with { Speculation = s, Routing = r };
    }

    public static WeightPrecision ParseWeights(string text, string source = "--weights") =>
        WeightPrecisions.TryParse(text, out var w, out string error)
            ? w
            : throw new InputException(source, "", error);

    public static Domain.CostModel.Phase ParsePhase(string text, string source = "--phase") => text switch
    {
        "decode" => Domain.CostModel.Phase.Decode,
        "prefill" => Domain.CostModel.Phase.Prefill,
        _ => throw new InputException(source, "", $"'{JsonFields.Truncate(text)}' is not a phase (allowed: decode, prefill)"),
    };

    public static double ParseReserve(double value, string source = "--reserve") =>
        double.IsFinite(value) && value >= 0 && value < 1
            ? value
            : throw new InputException(source, "", "must be a fraction from 0 to below 1");

    public static IReadOnlyList<HardwareProfile> ParseHardwareList(string text, string source = "--hardware")
    {
        var errors = new List<InputError>();
        var list = new List<HardwareProfile>();
        foreach (string id in CliOptions.NameList(text))
        {
            try
            {
                list.Add(HardwareProfileLoader.Resolve(id, source));
            }
            catch (InputException e)
            {
                errors.AddRange(e.Errors);
            }
        }
        if (errors.Count > 0 || list.Count == 0)
        {
            throw new InputException(errors.Count > 0 ? errors : [new InputError(source, "", "needs at least one hardware id")]);
        }
        return list;
    }
}
