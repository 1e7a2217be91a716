using XQuant.Kernels.Engine;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Memory;

namespace XQuant.Sim.Studies.Measurement;

/// <summary>Measured and predicted seconds of one decode step, whole and per engine class.</summary>
public sealed record StepPoint(
    string Scheme,
    int Context,
    double MeasuredSec,
    double Spread,
    double PredictedSolSec,
    double PredictedSec,
    IReadOnlyDictionary<string, double> MeasuredByClass,
    IReadOnlyDictionary<string, double> PredictedByClass,
    double Flops,
    double DramBytes,
    long EngineCacheBytes,
    double AccountedCacheBytes,
    double LogitErrorVsFp16,
    double? PredictedInterleavedSec = null);

/// <summary>
/// Predicts a decode step of the engine with the cost model: the ledger of the same model and scheme (remat in
/// fp32, GEMMs in fp32), adapted to what the engine moves (fp32 weights and activations: twice the ledger's
/// bf16 bytes; caches as stored), placed per layer against the calibrated on-chip capacity, timed op by op and
/// summed (serial, as the engine runs). A CPU "kernel launch" is a parallel dispatch: one per projection GEMV
/// that is large enough to be split, and one per layer for the fused attention; the small elementwise ops run inline.
/// </summary>
public static class EngineBench
{
    public static readonly string[] Classes = ["gemm", "elementwise", "cache_write", "attention"];

    private static readonly HashSet<string> CacheWriteOps = new(StringComparer.Ordinal) { "kv_append", "kv_quantize", "x_quantize", "delta_quantize", "acc_update_new", "latent_quantize" };

    private static readonly HashSet<string> AttentionOps = new(StringComparer.Ordinal)
    {
        "attn_scores", "softmax", "attn_output", "kv_dequant", "x_dequant", "delta_dequant", "rope_k_cache", "remat_k", "remat_v", "accumulate", "acc_init", "latent_dequant", "up_project", "attn_px", "v_absorb",
    };

    public static string ClassOf(string ledgerOp, bool remats) =>
        CacheWriteOps.Contains(ledgerOp) ? "cache_write"
        : AttentionOps.Contains(ledgerOp) || (remats && ledgerOp == "rope_k") ? "attention"
        : ledgerOp is "q_proj" or "k_proj" or "v_proj" or "o_proj" or "ffn_gate_up" or "ffn_down" or "lm_head" ? "gemm"
        : "elementwise";

    public static string ClassOf(EngineOp op) => op switch
    {
        EngineOp.QProj or EngineOp.KProj or EngineOp.VProj or EngineOp.OProj or EngineOp.FfnGateUp or EngineOp.FfnDown or EngineOp.LmHead => "gemm",
        EngineOp.CacheWrite => "cache_write",
        EngineOp.Attention => "attention",
        _ => "elementwise",
    };

    /// <summary>The ledger ops of one step, re-costed with the engine's byte widths.</summary>
    public static IReadOnlyList<OpCost> Ops(EngineConfig c, EngineScheme s, HardwareProfile hw, int context)
    {
        var w = new Workload(EngineModel.ToModelConfig(c), hw, EngineModel.ToCacheScheme(s), WeightPrecision.Bf16, 1, context, Phase.Decode, DType.Fp32);
        double cap = hw.OnChip?.CapacityBytes ?? 0;
        var result = new List<OpCost>();
        foreach (var op in Ledger.Build(w))
        {
            double k = Math.Max(op.LaunchCount, 1);
            var copy = new OpDraft(op.Name, op.Kind, op.Flops / k, op.DType).AsVariant(op.Variant);
            foreach (var tc in TensorClasses.All)
            {
                double factor = tc is TensorClass.Weights or TensorClass.ActivationsRead or TensorClass.ActivationsWritten ? 2.0 : 1.0;
                copy.AddBytes(tc, op.Bytes(tc) / k * factor);
            }
            result.Add(copy.Build(cap, k));
        }
        return result;
    }

    /// <summary>Dispatches of one step: large GEMVs and one fused attention per layer.</summary>
    public static double Dispatches(IReadOnlyList<OpCost> ops) =>
        ops.Where(o => o.Kind == OpKind.Gemm && o.Bytes(TensorClass.Weights) / Math.Max(o.LaunchCount, 1) / 4.0 > EngineMath.InlineGemvElements).Sum(o => o.LaunchCount)
        + (ops.FirstOrDefault(o => o.Name == "attn_scores")?.LaunchCount ?? 0);

    public static (double Total, Dictionary<string, double> ByClass) Predict(IReadOnlyList<OpCost> ops, HardwareProfile hw, bool remats)
    {
        var by = Classes.ToDictionary(k => k, _ => 0.0, StringComparer.Ordinal);
        foreach (var op in ops)
        {
            by[ClassOf(op.Name, remats)] += KernelCase.Bound(op, hw);
        }
        double latency = hw.KernelLaunchLatencySec ?? 0;
        by["gemm"] += ops.Where(o => o.Kind == OpKind.Gemm && o.Bytes(TensorClass.Weights) / Math.Max(o.LaunchCount, 1) / 4.0 > EngineMath.InlineGemvElements).Sum(o => o.LaunchCount) * latency;
        by["attention"] += (ops.FirstOrDefault(o => o.Name == "attn_scores")?.LaunchCount ?? 0) * latency;
        return (by.Values.Sum(), by);
    }

    /// <summary>A filled engine ready to be stepped; validate steps many of them interleaved.</summary>
    public static EngineRun Prepare(EngineWeights weights, EngineScheme s, int context)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var engine = new DecodeEngine(weights, s);
        engine.FillSynthetic(context);
        return new EngineRun(s, weights.Config, context, engine, engine.CacheBytes);
    }

    /// <summary>The point of a run whose first <paramref name="warmups"/> steps were warm-up: medians of the rest.</summary>
    public static StepPoint Point(EngineRun run, int warmups, HardwareProfile sol, HardwareProfile calibrated, float[]? fp16Logits, HardwareProfile? interleaved = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        var s = run.Scheme;
        var c = run.Config;
        var results = run.Results.Skip(warmups).ToList();
        var layout = EngineModel.ToCacheScheme(s).Layout(EngineModel.ToModelConfig(c));
        double accounted = CacheMemory.TotalBytesPerSequence(layout, run.Context);
        double logitError = double.NaN;
        if (fp16Logits is not null)
        {
            // Logits of the first timed step vs the fp16 engine's at the same position (same history, same tokens).
            logitError = XQuant.Kernels.Metrics.ErrorMetrics.RelativeFrobenius(fp16Logits, results[0].Logits);
        }
        // The context in the middle of the timed steps.
        int mid = run.Context + warmups + (results.Count / 2);
        var ops = Ops(c, s, calibrated, mid);
        var opsSol = Ops(c, s, sol, mid);
        var (pred, byClass) = Predict(ops, calibrated, s.Remats);
        var (predSol, _) = Predict(opsSol, sol, s.Remats);
        var measuredByClass = Classes.ToDictionary(k => k, k => ErrorStats.Median(results.Select(r => EngineOps.All.Where(o => ClassOf(o) == k).Sum(r.Sec))), StringComparer.Ordinal);
        var stepTimes = results.Select(r => r.StepSec).ToList();
        return new StepPoint(s.Name, mid, ErrorStats.Median(stepTimes), ErrorStats.Spread(stepTimes), predSol, pred, measuredByClass, byClass,
            ops.Sum(o => o.Flops), ops.Sum(o => o.DramBytes), run.CacheBytesAtContext, accounted, logitError,
            interleaved is null ? null : Predict(Ops(c, s, interleaved, mid), interleaved, s.Remats).Total);
    }

    /// <summary>The fp16 engine's logits at the first timed step (the reference for each scheme's logit error).</summary>
    public static float[] Fp16Logits(EngineWeights weights, int context, int warmups)
    {
        var e = new DecodeEngine(weights, EngineScheme.Fp16);
        e.FillSynthetic(context);
        float[] l = [];
        for (int i = 0; i <= warmups; i++)
        {
            l = e.Step(17 + i).Logits;
        }
        return l;
    }
}

/// <summary>One engine filled to <see cref="Context"/> tokens and the results of every step taken since (warm-up included).</summary>
public sealed class EngineRun(EngineScheme scheme, EngineConfig config, int context, DecodeEngine engine, long cacheBytesAtContext)
{
    private readonly List<StepResult> results = [];

    public EngineScheme Scheme { get; } = scheme;

    public EngineConfig Config { get; } = config;

    public int Context { get; } = context;

    public DecodeEngine Engine { get; } = engine;

    /// <summary>Bytes the caches held right after the fill, at exactly <see cref="Context"/> tokens.</summary>
    public long CacheBytesAtContext { get; } = cacheBytesAtContext;

    public IReadOnlyList<StepResult> Results => results;

    /// <summary>One decode step with a fixed token per position, so every scheme sees the same inputs.</summary>
    public void Step() => results.Add(Engine.Step(17 + results.Count));
}
