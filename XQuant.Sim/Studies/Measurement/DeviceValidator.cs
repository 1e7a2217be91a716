using XQuant.Kernels.Ilgpu;
using XQuant.Kernels.Quantization;
using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Studies.Measurement;

/// <summary>
/// Validation on an ILGPU device: times the ILGPU kernels at the validation grid's shapes on device-resident
/// buffers (launch + synchronize, L2 evicted before each run, warm-up then median) and predicts each with the
/// same ledger ops as the CPU cases. Decode steps are not run: the decode engine runs on the CPU only, so the
/// result has no steps.
/// </summary>
public static class DeviceValidator
{
    /// <summary>Kernels of <see cref="Validator.KernelGrid"/> with no ILGPU version: timed on the CPU only.</summary>
    public static readonly IReadOnlyList<string> WithoutIlgpuVersion = ["attention_fp16", "attention_kivi", "attention_remat"];

    /// <summary>The cases of <see cref="Validator.KernelGrid"/> in the same order, less <see cref="WithoutIlgpuVersion"/>.</summary>
    public static IEnumerable<Func<DeviceBench, DeviceKernelCase>> KernelGrid(ValidationPlan p)
    {
        ArgumentNullException.ThrowIfNull(p);
        int w = p.Width, h = p.Heads, hd = p.HeadDim;
        foreach (int t in p.KernelTokens)
        {
            yield return b => DeviceKernelBench.Quantize(b, t, w, 4, QuantAxis.PerToken);
            yield return b => DeviceKernelBench.Quantize(b, t, w, 2, QuantAxis.PerToken);
            yield return b => DeviceKernelBench.Quantize(b, t, w, 2, QuantAxis.PerChannel);
            yield return b => DeviceKernelBench.Dequantize(b, t, w, 4);
            yield return b => DeviceKernelBench.Dequantize(b, t, w, 2);
            yield return b => DeviceKernelBench.Remat(b, t, w, 2 * h * hd, 4);
            yield return b => DeviceKernelBench.AttentionFloat(b, t, h, h, hd);
        }
    }

    public static ValidationResult Run(ValidationPlan plan, HardwareProfile calibrated, DeviceBench bench, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(calibrated);
        ArgumentNullException.ThrowIfNull(bench);
        ArgumentNullException.ThrowIfNull(log);
        var sol = calibrated with { AchievedFlopsPerSecByKind = null };
        var kernels = new List<KernelPoint>();
        foreach (var make in KernelGrid(plan))
        {
            using var d = make(bench);
            var k = d.Case;
            // As many timed runs per case as the CPU grid gets over its rounds; a GPU needs no interleaving with
            // calibration (no shared host whose speed drifts between two commands).
            var times = bench.Time(k.Run, plan.KernelRoundsPerRound * plan.Rounds, warmups: 2);
            var point = new KernelPoint(k, ErrorStats.Median(times), ErrorStats.Spread(times), k.Predict(sol), k.Predict(calibrated));
            kernels.Add(point);
            log.WriteLine($"  {k.Kernel,-16} {k.Shape,-34} measured {point.MeasuredSec * 1e3,9:F3} ms  predicted {point.PredictedSec * 1e3,9:F3} ms  ({ErrorStats.SignedError(point.PredictedSec, point.MeasuredSec) * 100,6:F1}%)");
        }
        return new ValidationResult(plan, calibrated, sol, kernels, [], Notes: Notes(bench));
    }

    /// <summary>What a device run's report says about itself: the device, the emulator, the kernels and steps it leaves out.</summary>
    public static IReadOnlyList<string> Notes(DeviceBench bench)
    {
        ArgumentNullException.ThrowIfNull(bench);
        var notes = new List<string> { $"validated on {bench.Runner.Description} (ILGPU {DeviceBench.IlgpuVersion}): the ILGPU kernels on device-resident buffers, launch + synchronize per run{(bench.EvictBytes > 0 ? ", L2 evicted before each" : "")}" };
        if (bench.IsEmulator)
        {
            notes.Add(DeviceCalibrator.EmulatorNote);
        }
        notes.Add($"kernels with no ILGPU version, so not validated here: {string.Join(", ", WithoutIlgpuVersion)} (validate --device cpu times their CPU versions)");
        notes.Add("decode steps: not run; the decode engine runs on the CPU only");
        return notes;
    }
}
