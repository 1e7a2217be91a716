using XQuant.Kernels.Engine;
using XQuant.Kernels.Quantization;
using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Studies.Measurement;

/// <summary>Measured vs predicted seconds of one kernel case.</summary>
/// <param name="PredictedInterleavedSec">Predicted from the calibration timed interleaved with this run; null when none ran.</param>
public sealed record KernelPoint(KernelCase Case, double MeasuredSec, double Spread, double PredictedSolSec, double PredictedSec, double? PredictedInterleavedSec = null);

/// <summary>What validate runs: the kernel grid, the engine model, contexts and schemes, rounds.</summary>
/// <param name="KernelRoundsPerRound">Rounds of the kernel grid (and of the interleaved calibration) per round of decode steps.</param>
/// <param name="StepWarmups">Rounds whose decode steps are warm-up (not timed into the points).</param>
/// <param name="Steps">Rounds whose decode steps are timed.</param>
/// <param name="InterleavedCalibration">Calibration microbenchmarks to time in the same rounds; null for none.</param>
/// <param name="SoakSec">Untimed rounds of the kernel grid before the first timed round, as calibrate does (<see cref="CalibrationPlan.SoakSec"/>).</param>
public sealed record ValidationPlan(
    IReadOnlyList<int> KernelTokens,
    int Width,
    int Heads,
    int HeadDim,
    EngineConfig Engine,
    IReadOnlyList<int> Contexts,
    IReadOnlyList<EngineScheme> Schemes,
    int KernelRoundsPerRound,
    int StepWarmups,
    int Steps,
    CalibrationPlan? InterleavedCalibration,
    double SoakSec = 0)
{
    public static readonly IReadOnlyList<EngineScheme> DefaultSchemes = [EngineScheme.Fp16, EngineScheme.Kivi(2), EngineScheme.XQuant(4), EngineScheme.XQuantCl(2)];

    /// <summary>The GQA engine's defaults: the XQuant forms on SVD latents.</summary>
    public static readonly IReadOnlyList<EngineScheme> DefaultGqaSchemes = [EngineScheme.Fp16, EngineScheme.Kivi(2), EngineScheme.XQuantGqa(4), EngineScheme.XQuantClGqa(2)];

    /// <summary>
    /// The full run: kernels at 1024 and 4096 tokens of width 1024; the d=1024, 8-layer engine at 512 to 4096
    /// tokens; 13 rounds of (4 x kernel grid and calibration, one step per engine): 52 kernel runs, 11 timed steps.
    /// </summary>
    public static ValidationPlan Full => new([1024, 4096], 1024, 16, 64, EngineConfig.Default, [512, 1024, 2048, 4096], DefaultSchemes, 4, 2, 11, CalibrationPlan.Full, 30);

    /// <summary>Tiny shapes that finish in a few seconds (CI).</summary>
    public static ValidationPlan Quick => new([256], 256, 4, 64, EngineConfig.Tiny, [128, 256], DefaultSchemes, 2, 1, 2, CalibrationPlan.Quick);

    public int Rounds => StepWarmups + Steps;

    /// <summary>The GQA variant of an engine: a quarter of the heads share K and V, so the GQA schemes' latents compress.</summary>
    public static EngineConfig Gqa(EngineConfig mha)
    {
        ArgumentNullException.ThrowIfNull(mha);
        return mha with { KvHeads = Math.Max(1, mha.Heads / 4) };
    }
}

/// <param name="Interleaved">The profile calibrated by microbenchmarks timed interleaved with this run; null when none ran.</param>
/// <param name="Notes">Lines the report prints under the machine line (device runs: emulator, kernels without a device version, no steps).</param>
public sealed record ValidationResult(ValidationPlan Plan, HardwareProfile Calibrated, HardwareProfile Sol, IReadOnlyList<KernelPoint> Kernels, IReadOnlyList<StepPoint> Steps, HardwareProfile? Interleaved = null, IReadOnlyList<string>? Notes = null);

/// <summary>
/// Runs the real kernels and decode steps, predicts each from the calibrated profile, and collects both. Three
/// prediction tiers: SOL, the plain roofline on the stream-bandwidth and GEMM microbenchmarks (no class rates);
/// calibrated, the roofline with the class and variant rates of the calibration file; interleaved, the same with
/// a calibration whose microbenchmarks were timed in this run's own rounds.
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
            yield return () => KernelBench.AttentionFp16(t, h, h, hd);
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
        // Everything runs in one loop of rounds so that each measurement, and the calibration that predicts it,
        // samples the same minutes of the shared host: per round, the kernel grid and the calibration
        // microbenchmarks interleaved (KernelRoundsPerRound times), then one decode step of every engine. The
        // calibration's times are kept apart and only ever fit the interleaved profile, never a validation run.
        var calibration = plan.InterleavedCalibration is { } cp ? new HostCalibration(cp) : null;
        var calibrationCases = calibration?.Cases ?? [];
        var cases = KernelGrid(plan).Select(make => make()).ToList();
        var timed = cases.Select(k => new TimedCase(k.Kernel, k.Run, () => Microbench.FlushCaches())).Concat(calibrationCases).ToList();
        var times = timed.Select(_ => new List<double>()).ToList();

        // Every engine is filled first, then stepped round-robin, one step each per round.
        var weights = new EngineWeights(plan.Engine);
        var references = new Dictionary<int, float[]>();
        var runs = new List<EngineRun>();
        foreach (int context in plan.Contexts)
        {
            references[context] = EngineBench.Fp16Logits(weights, context, plan.StepWarmups);
            runs.AddRange(plan.Schemes.Select(s => EngineBench.Prepare(weights, s, context)));
        }
        if (plan.SoakSec > 0)
        {
            log.WriteLine($"  soak: untimed rounds of the kernel grid and calibration for {plan.SoakSec:F0} s (the host's steady state under load)");
            Microbench.Soak(timed, plan.SoakSec);
        }
        log.WriteLine($"  {plan.Rounds} rounds, each: {cases.Count} kernels{(calibration is null ? "" : $" and {calibrationCases.Count} calibration microbenchmarks")} interleaved x {plan.KernelRoundsPerRound} (caches flushed before each kernel), then one decode step of each of {runs.Count} engines ({plan.StepWarmups} warm-up rounds)");
        for (int r = 0; r < plan.Rounds; r++)
        {
            var t = Microbench.Interleaved(timed, plan.KernelRoundsPerRound, warmups: r == 0 ? 1 : 0);
            for (int i = 0; i < t.Count; i++)
            {
                times[i].AddRange(t[i]);
            }
            for (int j = 0; j < runs.Count; j++)
            {
                runs[(r + j) % runs.Count].Step();
            }
        }

        HardwareProfile? interleaved = null;
        if (calibration is not null)
        {
            log.WriteLine("  interleaved calibration:");
            interleaved = calibration.Finish(times.Skip(cases.Count).ToList(), log) with { SourcePath = "xqsim validate (calibration interleaved with this run)" };
        }

        var kernels = new List<KernelPoint>();
        for (int i = 0; i < cases.Count; i++)
        {
            var k = cases[i];
            var point = new KernelPoint(k, ErrorStats.Median(times[i]), ErrorStats.Spread(times[i]), k.Predict(sol), k.Predict(calibrated), interleaved is null ? null : k.Predict(interleaved));
            kernels.Add(point);
            log.WriteLine($"  {k.Kernel,-16} {k.Shape,-34} measured {point.MeasuredSec * 1e3,9:F3} ms  predicted {point.PredictedSec * 1e3,9:F3} ms ({ErrorStats.SignedError(point.PredictedSec, point.MeasuredSec) * 100,6:F1}%){InterleavedNote(point.PredictedInterleavedSec, point.MeasuredSec)}");
        }
        var steps = new List<StepPoint>();
        foreach (var run in runs)
        {
            var p = EngineBench.Point(run, plan.StepWarmups, sol, calibrated, references[run.Context], interleaved);
            steps.Add(p);
            log.WriteLine($"  step {run.Scheme.Name,-12} l={p.Context,-5} measured {p.MeasuredSec * 1e3,9:F3} ms  predicted {p.PredictedSec * 1e3,9:F3} ms ({ErrorStats.SignedError(p.PredictedSec, p.MeasuredSec) * 100,6:F1}%){InterleavedNote(p.PredictedInterleavedSec, p.MeasuredSec)}  cache {p.EngineCacheBytes} B (accounting {p.AccountedCacheBytes:F0})");
        }
        return new ValidationResult(plan, calibrated, sol, kernels, steps, interleaved);
    }

    private static string InterleavedNote(double? predicted, double measured) =>
        predicted is double v ? $", interleaved {v * 1e3,9:F3} ms ({ErrorStats.SignedError(v, measured) * 100,6:F1}%)" : "";
}
