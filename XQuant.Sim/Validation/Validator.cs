using XQuant.Kernels.Engine;
using XQuant.Kernels.Quantization;
using XQuant.Sim.Calibration;
using XQuant.Sim.Hardware;

namespace XQuant.Sim.Validation;

/// <summary>Measured vs predicted seconds of one kernel case.</summary>
public sealed record KernelPoint(KernelCase Case, double MeasuredSec, double Spread, double PredictedSolSec, double PredictedSec);

/// <summary>What validate runs: the kernel grid, the engine model, contexts and schemes, repetitions.</summary>
public sealed record ValidationPlan(
    IReadOnlyList<int> KernelTokens,
    int Width,
    int Heads,
    int HeadDim,
    EngineConfig Engine,
    IReadOnlyList<int> Contexts,
    IReadOnlyList<EngineScheme> Schemes,
    int Repetitions,
    int StepWarmups,
    int Steps)
{
    public static readonly IReadOnlyList<EngineScheme> DefaultSchemes = [EngineScheme.Fp16, EngineScheme.Kivi(2), EngineScheme.XQuant(4), EngineScheme.XQuantCl(2)];

    /// <summary>The full run: kernels at 1024 and 4096 tokens of width 1024; the d=1024, 8-layer engine at 512 to 4096 tokens.</summary>
    public static ValidationPlan Full => new([1024, 4096], 1024, 16, 64, EngineConfig.Default, [512, 1024, 2048, 4096], DefaultSchemes, 7, 2, 9);

    /// <summary>Tiny shapes that finish in a few seconds (CI).</summary>
    public static ValidationPlan Quick => new([256], 256, 4, 64, EngineConfig.Tiny, [128, 256], DefaultSchemes, 2, 1, 2);
}

public sealed record ValidationResult(ValidationPlan Plan, HardwareProfile Calibrated, HardwareProfile Sol, IReadOnlyList<KernelPoint> Kernels, IReadOnlyList<StepPoint> Steps);

/// <summary>
/// Runs the real kernels and decode steps, predicts each from the calibrated profile, and collects both. Two
/// prediction tiers: SOL, the plain roofline on the stream-bandwidth and GEMM microbenchmarks (no class rates);
/// calibrated, the roofline with each kernel class's achieved FLOP/s from the calibration microbenchmarks.
/// </summary>
public static class Validator
{
    public static IEnumerable<Func<KernelCase>> KernelGrid(ValidationPlan p)
    {
        ArgumentNullException.ThrowIfNull(p);
        int w = p.Width, h = p.Heads, hd = p.HeadDim;
        foreach (int t in p.KernelTokens)
        {
            yield return () => KernelBench.Quantize(t, w, 4, QuantAxis.PerToken);
            yield return () => KernelBench.Quantize(t, w, 2, QuantAxis.PerToken);
            yield return () => KernelBench.Quantize(t, w, 2, QuantAxis.PerChannel);
            yield return () => KernelBench.Dequantize(t, w, 4);
            yield return () => KernelBench.Dequantize(t, w, 2);
            yield return () => KernelBench.Remat(t, w, 2 * h * hd, 4);
            yield return () => KernelBench.AttentionFloat(t, h, h, hd);
            yield return () => KernelBench.AttentionKivi(t, h, h, hd, 2);
            yield return () => KernelBench.AttentionRemat(t, w, h, h, hd, 4);
        }
    }

    public static ValidationResult Run(ValidationPlan plan, HardwareProfile calibrated, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(calibrated);
        ArgumentNullException.ThrowIfNull(log);
        var sol = calibrated with { AchievedFlopsPerSecByKind = null };
        var kernels = new List<KernelPoint>();
        foreach (var make in KernelGrid(plan))
        {
            var k = make();
            var times = Microbench.Time(k.Run, plan.Repetitions, () => Microbench.FlushCaches());
            var point = new KernelPoint(k, ErrorStats.Median(times), ErrorStats.Spread(times), k.Predict(sol), k.Predict(calibrated));
            kernels.Add(point);
            log.WriteLine($"  {k.Kernel,-16} {k.Shape,-34} measured {point.MeasuredSec * 1e3,9:F3} ms  predicted {point.PredictedSec * 1e3,9:F3} ms  ({ErrorStats.SignedError(point.PredictedSec, point.MeasuredSec) * 100,6:F1}%)");
        }
        var steps = new List<StepPoint>();
        var weights = new EngineWeights(plan.Engine);
        foreach (int context in plan.Contexts)
        {
            var reference = EngineBench.Fp16Logits(weights, context, plan.StepWarmups);
            foreach (var s in plan.Schemes)
            {
                var p = EngineBench.Measure(weights, s, context, plan.StepWarmups, plan.Steps, sol, calibrated, reference);
                steps.Add(p);
                log.WriteLine($"  step {s.Name,-12} l={p.Context,-5} measured {p.MeasuredSec * 1e3,9:F3} ms  predicted {p.PredictedSec * 1e3,9:F3} ms  ({ErrorStats.SignedError(p.PredictedSec, p.MeasuredSec) * 100,6:F1}%)  cache {p.EngineCacheBytes} B (accounting {p.AccountedCacheBytes:F0})");
            }
        }
        return new ValidationResult(plan, calibrated, sol, kernels, steps);
    }
}
