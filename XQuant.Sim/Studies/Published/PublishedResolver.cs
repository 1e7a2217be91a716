using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Parallelism;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Studies.Published;

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
        if (!profiles.TryGetValue(row.Hardware, out var hw))
        {
            return Unsupported($"no hardware profile '{row.Hardware}'");
        }
        if (!models.TryGetValue(row.Model, out var model))
        {
            return Unsupported($"no model config '{row.Model}'");
        }
        var w = Weights(row.Weights.ToLowerInvariant(), assumptions);
        if (w is null)
        {
            // A bare "fp4" does not say which block format (NVFP4 or MXFP4): its scales, and so its bytes, differ.
            return Unsupported(row.Weights.Contains("fp4", StringComparison.OrdinalIgnoreCase) ? "fp4 weights" : $"weights '{row.Weights}'");
        }
        string? scheme = Kv(row.Kv.ToLowerInvariant(), assumptions);
        if (scheme is null)
        {
            return Unsupported($"KV cache '{row.Kv}'");
        }
        var errors = new List<string>();
        var cacheScheme = SchemeRegistry.TryParse(scheme, errors) ?? throw new InvalidOperationException(string.Join("; ", errors));
        if (cacheScheme.Validate(model) is { Count: > 0 } problems)
        {
            return Unsupported($"KV cache '{row.Kv}' on {model.Id}: {problems[0]}");
        }
        if (w == WeightPrecision.Fp8 && !hw.Supports(DType.Fp8))
        {
            assumptions.Add($"{hw.Id} has no FP8 rate: GEMMs timed at its BF16 peak");
        }
        var (plan, replicas, planProblem) = Plan(row, hw, model, cacheScheme, assumptions);
        if (planProblem is not null)
        {
            return Unsupported(planProblem);
        }
        double scale = 1.0;
        if (row.WeightBits is double stated && w.Format is WeightFormat.Int4 or WeightFormat.Int8 && Math.Abs(stated / 8.0 - w.BytesPerWeight()) > 1e-9 && stated is >= 1 and <= 16)
        {
            // Integer block formats (GGUF, AWQ/GPTQ group sizes): the stated width is the format's, for traffic and capacity alike.
            w = w with { BitsOverride = stated };
            assumptions.Add($"weights at the stated {stated.ToString(System.Globalization.CultureInfo.InvariantCulture)} bits per weight ({w.Name()})");
        }
        if (row.WeightBits is double bits && Math.Abs(bits / 8.0 - w.BytesPerWeight()) > 1e-9)
        {
            // Group scales and block formats make the stored width differ from the format's; the row says by how much.
            scale = bits / 8.0 / w.BytesPerWeight();
            assumptions.Add($"weight traffic scaled to the stated {bits.ToString(System.Globalization.CultureInfo.InvariantCulture)} bits per weight (x{scale.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}); capacity counts the {w.Name()} format's bytes");
        }
        return new Resolution(new PublishedCase(row, hw, model, w, cacheScheme, assumptions, scale, plan, replicas), Resolution.Scored);
    }

    /// <summary>
    /// The device plan of a multi-device row: the split the row states ("TP2", "PP 2" in its framework or notes), else
    /// tensor parallelism over every device (what vLLM, TensorRT-LLM and JetStream run for one model on one node), and
    /// the devices left over as data-parallel replicas. Null plan for one device.
    /// </summary>
    private static (ParallelPlan? Plan, int Replicas, string? Problem) Plan(PublishedRow row, HardwareProfile hw, ModelConfig model, CacheScheme scheme, List<string> assumptions)
    {
        if (row.Devices <= 1)
        {
            return (null, 1, null);
        }
        string text = row.Framework + " " + row.Notes;
        int? tp = Stated(text, "TP"), pp = Stated(text, "PP");
        int tpUsed = tp ?? row.Devices / (pp ?? 1), ppUsed = pp ?? 1;
        if (tpUsed < 1 || row.Devices % (tpUsed * ppUsed) != 0)
        {
            return (null, 1, $"{row.Devices} devices do not split into TP {tpUsed} x PP {ppUsed} replicas");
        }
        int replicas = row.Devices / (tpUsed * ppUsed);
        if (tp is null && pp is null)
        {
            assumptions.Add($"{row.Devices} devices, split not stated: tensor parallel over all {row.Devices} assumed");
        }
        if (replicas > 1)
        {
            assumptions.Add($"TP {tpUsed} x PP {ppUsed} per replica, {replicas} data-parallel replicas sharing the load evenly");
        }
        if (ppUsed > 1)
        {
            assumptions.Add($"PP {ppUsed}: a step is costed through every stage in turn (no overlap of micro-batches across stages)");
        }
        var problems = ParallelChecks.Problems(tpUsed, ppUsed, model, scheme, hw);
        if (problems.Count > 0)
        {
            return (null, 1, $"TP {tpUsed} x PP {ppUsed}: {problems[0].Message}");
        }
        var link = Link.From(hw.Interconnect)!;
        if (link.LatencyIsDefault)
        {
            assumptions.Add(FormattableString.Invariant($"link latency {link.LatencySec * 1e6:0.##} us per message: the default, not published for {hw.Id}"));
        }
        return (tpUsed * ppUsed == 1 ? null : new ParallelPlan(tpUsed, ppUsed, link), replicas, null);
    }

    /// <summary>A split the row states: "TP2", "TP 2", "TP=2" or "tp-2" (case-insensitive), or null.</summary>
    private static int? Stated(string text, string key)
    {
        var m = System.Text.RegularExpressions.Regex.Match(text, $@"\b{key}[\s=:-]?(\d{{1,3}})\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        return m.Success ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    /// <summary>The weight format of a published name; null where xqsim has none (fp4, 2-bit, mixed formats).</summary>
    private static WeightPrecision? Weights(string name, List<string> assumptions)
    {
        switch (name)
        {
            case "nvfp4" or "fp4-nvfp4" or "w4a4-nvfp4":
                return WeightPrecision.Nvfp4;
            case "mxfp4" or "fp4-mxfp4":
                return WeightPrecision.Mxfp4;
            case "fp16" or "bf16" or "float16" or "bfloat16":
                return WeightPrecision.Bf16;
            case "fp8" or "fp8_e4m3" or "float8" or "w8a8-fp8":
                return WeightPrecision.Fp8;
            case "int8" or "w8a16" or "w8a8" or "int8-sq":
                return WeightPrecision.Int8;
            case "int4" or "w4a16" or "awq" or "gptq" or "int4-awq" or "int4-gptq":
                return WeightPrecision.Int4;
        }
        if (name.StartsWith("q4", StringComparison.Ordinal) || name.StartsWith("q8", StringComparison.Ordinal))
        {
            // llama.cpp block formats: bytes per weight from xqsim's nearest format (the row's weight_bits says the exact width).
            assumptions.Add($"weights '{name}' accounted as {(name[1] == '4' ? "int4" : "int8")} weight-only");
            return name[1] == '4' ? WeightPrecision.Int4 : WeightPrecision.Int8;
        }
        return null;
    }

    /// <summary>The cache scheme of a published KV dtype; null where xqsim has none.</summary>
    private static string? Kv(string kv, List<string> assumptions)
    {
        switch (kv)
        {
            case "fp16" or "bf16" or "float16" or "bfloat16":
                return "fp16";
            case "unstated" or "auto" or "":
                assumptions.Add("KV dtype unstated: FP16 assumed (the engines' default)");
                return "fp16";
        }
        if (kv.StartsWith("fp8", StringComparison.Ordinal) || kv == "int8")
        {
            assumptions.Add("8-bit KV accounted as per-token 8-bit groups of 128 with FP16 scale and zero");
            return EightBitKvScheme;
        }
        if (kv == "int4")
        {
            assumptions.Add("4-bit KV accounted as per-token 4-bit groups of 128 with FP16 scale and zero");
            return "kivi:4,kaxis=token,vaxis=token,window=0";
        }
        return null;
    }

    private static Resolution Unsupported(string why) => new(null, $"unsupported: {why}");
}
