using XQuant.Sim.CostModel;
using XQuant.Sim.Hardware;
using XQuant.Sim.Models;
using XQuant.Sim.Schemes;

namespace XQuant.Sim.Studies.Published;

/// <summary>A row either resolves to a case or says, in its status, what xqsim cannot model yet.</summary>
public sealed record Resolution(PublishedCase? Case, string Status)
{
    public const string Scored = "scored";
}

/// <summary>
/// Maps a published row onto xqsim's profiles, model configs, weight formats and cache schemes. Pure: the profiles
/// and models are passed in. A row xqsim cannot model gets an "unsupported: why" status and is kept, never dropped.
/// </summary>
public static class PublishedResolver
{
    /// <summary>8-bit KV (FP8 or INT8) is accounted as an 8-bit per-token quantized cache with no FP16 window.</summary>
    public const string EightBitKvScheme = "kivi:8,kaxis=token,vaxis=token,window=0";

    public static Resolution Resolve(
        PublishedRow row,
        IReadOnlyDictionary<string, HardwareProfile> profiles,
        IReadOnlyDictionary<string, ModelConfig> models)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(profiles);
        ArgumentNullException.ThrowIfNull(models);
        var assumptions = new List<string>();
        if (row.Devices > 1)
        {
            return Unsupported($"{row.Devices} devices need the multi-device model (#14)");
        }
        if (!profiles.TryGetValue(row.Hardware, out var hw))
        {
            return Unsupported($"no hardware profile '{row.Hardware}'");
        }
        if (!models.TryGetValue(row.Model, out var model))
        {
            return Unsupported($"no model config '{row.Model}' (only dense Llama-style decoders are modeled; MoE is not)");
        }
        string weights = row.Weights.ToLowerInvariant();
        WeightPrecision w;
        switch (weights)
        {
            case "fp16" or "bf16":
                w = WeightPrecision.Bf16;
                break;
            case "fp8":
                w = WeightPrecision.Fp8;
                break;
            case "int8":
                w = WeightPrecision.Int8;
                break;
            case "int4":
                w = WeightPrecision.Int4;
                break;
            default:
                return Unsupported(weights.Contains("fp4", StringComparison.Ordinal) ? "fp4 weights" : $"weights '{row.Weights}'");
        }
        string kv = row.Kv.ToLowerInvariant();
        string scheme;
        switch (kv)
        {
            case "fp16" or "bf16":
                scheme = "fp16";
                break;
            case "unstated" or "auto" or "":
                scheme = "fp16";
                assumptions.Add("KV dtype unstated: FP16 assumed (the engines' default)");
                break;
            case "fp8" or "int8":
                scheme = EightBitKvScheme;
                assumptions.Add("8-bit KV accounted as per-token 8-bit groups of 128 with FP16 scale and zero");
                break;
            default:
                return Unsupported($"KV cache '{row.Kv}'");
        }
        var errors = new List<string>();
        var cacheScheme = SchemeRegistry.TryParse(scheme, errors) ?? throw new InvalidOperationException(string.Join("; ", errors));
        if (w == WeightPrecision.Fp8 && !hw.Supports(DType.Fp8))
        {
            assumptions.Add($"{hw.Id} has no FP8 rate: GEMMs timed at its BF16 peak");
        }
        return new Resolution(new PublishedCase(row, hw, model, w, cacheScheme, assumptions), Resolution.Scored);
    }

    private static Resolution Unsupported(string why) => new(null, $"unsupported: {why}");
}
