using System.Globalization;
using System.Runtime.InteropServices;
using ILGPU.Runtime;
using XQuant.Kernels.Ilgpu;
using XQuant.Kernels.Quantization;
using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Studies.Measurement;

/// <summary>How much work device calibration does: full (a GPU, well under 2 minutes) or quick (the emulator, tests).</summary>
/// <param name="StreamFloats">Floats per stream array.</param>
/// <param name="AttentionHeads">
/// Heads of the attention calibration kernel: the ILGPU attention kernel runs one thread per head, so its rate
/// scales with the head count; calibrating at the engine's head count (16; 4 in the quick plan, as validate's
/// quick plan) keeps the parallelism, while the token count differs from every validated shape.
/// </param>
public sealed record DeviceCalibrationPlan(int StreamFloats, int Repetitions, int LatencyRepetitions, IReadOnlyList<(int M, int K, int N)> GemmShapes, int ClassTokens, int ClassWidth, int RematTokens, int AttentionHeads)
{
    /// <summary>1 GB per stream array (far beyond any GPU's L2), 15 repetitions, three 2-8 K GEMMs, class kernels at 3072 tokens.</summary>
    public static DeviceCalibrationPlan Full => new(256 << 20, 15, 2000, [(4096, 4096, 4096), (2048, 8192, 2048), (8192, 1024, 8192)], 3072, 768, 768, 16);

    /// <summary>Tiny sizes, 3 repetitions: the emulator's plan and a smoke run (not real numbers).</summary>
    public static DeviceCalibrationPlan Quick => new(64 << 10, 3, 50, [(64, 64, 64), (48, 96, 80)], 192, 192, 64, 4);
}

/// <summary>
/// The analogue of <see cref="HostCalibrator"/> for an ILGPU device, from microbenchmarks only (never the
/// validation kernels at validation shapes). Every run is launch + Accelerator.Synchronize() on device-resident
/// buffers, the L2 cache evicted before it; warm-up, then the median of repetitions.
/// <list type="bullet">
/// <item>DRAM bandwidth: grid-stride read (a partial sum per thread), copy and triad over arrays far beyond L2;
/// the profile's DRAM bandwidth is the read rate (decode traffic is almost all reads).</item>
/// <item>fp32 peak: the best achieved FLOP/s of the shared-memory tiled GEMM over the plan's shapes.</item>
/// <item>Launch latency: the median of launch + synchronize of an empty kernel.</item>
/// <item>Achieved FLOP/s per class (quantize, per-channel quantize, dequantize, remat, attention), each from its ILGPU
/// kernel at a calibration shape, solved by <see cref="HostCalibrator.Solve"/> exactly as on the host.</item>
/// </list>
/// Not measured: the on-chip (L2) level (left null: on-chip traffic is not charged) and an elementwise class
/// (no ILGPU elementwise kernel exists).
/// </summary>
public static class DeviceCalibrator
{
    /// <summary>How a device calibration's device line starts ("ILGPU Cuda", "ILGPU CPU"): validate checks it.</summary>
    public static string DeviceTag(AcceleratorType type) => $"ILGPU {type}";

    public const string EmulatorNote = "ILGPU's CPU accelerator is an emulator: these are emulator times, not measurements of any device (a correctness run of the GPU path).";

    public static HardwareProfile Run(DeviceBench bench, DeviceCalibrationPlan plan, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(bench);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(log);
        var problems = bench.SelfCheck();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"the ILGPU benchmark kernels disagree with their scalar twins on {bench.Runner.Description}: {string.Join("; ", problems)}");
        }
        log.WriteLine("  self-check: stream, fill and GEMM kernels agree with their scalar twins");
        var acc = bench.Accelerator;
        var m = new List<CalibrationMeasurement>();
        int reps = plan.Repetitions;
        // Triad holds three arrays next to the eviction buffer: keep them within an eighth of device memory.
        int n = (int)Math.Min(plan.StreamFloats, acc.MemorySize / 8 / 3 / 4);
        string mb = HostCalibrator.Mb(n * 4L);
        string evict = bench.EvictBytes > 0 ? $"; L2 evicted by a {HostCalibrator.Mb(bench.EvictBytes)} fill before each run" : "";
        double read;
        using (var c = bench.ReadCase(n))
        {
            read = HostCalibrator.Rate("dram_read_bandwidth", n * 4.0, bench.Time(c.Run, reps), "bytes/s", reps, $"1 x {mb}, {bench.StreamThreads} threads{evict}", m, log);
        }
        using (var c = bench.CopyCase(n))
        {
            HostCalibrator.Rate("dram_copy_bandwidth", n * 8.0, bench.Time(c.Run, reps), "bytes/s", reps, $"2 x {mb} (read + write, STREAM convention)", m, log);
        }
        using (var c = bench.TriadCase(n))
        {
            HostCalibrator.Rate("dram_triad_bandwidth", n * 12.0, bench.Time(c.Run, reps), "bytes/s", reps, $"3 x {mb} (STREAM convention)", m, log);
        }

        double peak = 0;
        foreach (var (gm, gk, gn) in plan.GemmShapes)
        {
            using var c = bench.GemmCase(gm, gk, gn);
            double f = HostCalibrator.Rate($"gemm_fp32_{gm}x{gk}x{gn}", 2.0 * gm * gk * gn, bench.Time(c.Run, reps), "flop/s", reps, $"m={gm} k={gk} n={gn}, {bench.GemmGroupSide}x{bench.GemmGroupSide} threads per group", m, log);
            peak = Math.Max(peak, f);
        }

        double latency;
        using (var c = bench.EmptyCase())
        {
            var lat = bench.Time(c.Run, plan.LatencyRepetitions, warmups: 20, evict: false);
            latency = ErrorStats.Median(lat);
            m.Add(new CalibrationMeasurement("launch_latency", latency, "s", ErrorStats.Spread(lat), plan.LatencyRepetitions, "launch + Accelerator.Synchronize() of an empty one-thread kernel"));
            log.WriteLine($"  launch_latency: {latency * 1e6:F2} us");
        }

        var type = acc.AcceleratorType;
        bool gpu = type is AcceleratorType.Cuda or AcceleratorType.OpenCL;
        string source = $"measured by xqsim calibrate --device {(bench.IsEmulator ? "ilgpu-cpu" : type.ToString().ToLowerInvariant())} (docs/validation.md)";
        var notes = new List<string>
        {
            "On-chip (L2) level not measured, so on-chip traffic is not charged.",
            "No ILGPU elementwise kernel exists: elementwise ops inside the attention kernel (RoPE, softmax) are charged at the fp32 GEMM rate and the rest of its time lands in the attention rate.",
        };
        if (bench.IsEmulator)
        {
            notes.Insert(0, EmulatorNote);
        }
        var profile = new HardwareProfile
        {
            Id = bench.IsEmulator ? "calibrated-ilgpu-cpu" : $"calibrated-{type.ToString().ToLowerInvariant()}",
            Name = $"{acc.Name} (ILGPU {type}{(bench.IsEmulator ? " emulator" : "")}), calibrated",
            Vendor = type == AcceleratorType.Cuda ? "nvidia" : gpu ? "opencl" : "host",
            Kind = gpu ? DeviceKind.Gpu : DeviceKind.Cpu,
            ReleaseYear = DateTime.UtcNow.Year,
            PeakFlopsPerSec = new Dictionary<DType, double> { [DType.Fp32] = peak },
            PeakFlopsSource = source,
            PeakFlopsNote = $"Achieved, not a datasheet peak: best fp32 FLOP/s of xqsim's shared-memory tiled ILGPU GEMM (CUDA cores, no tensor cores) over {plan.GemmShapes.Count} shapes.",
            Dram = new MemoryLevel(gpu ? "device DRAM" : "host DRAM (emulator)", gpu ? acc.MemorySize : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, read, source, $"Grid-stride read of a {mb} array (launch + synchronize per run); copy and triad are in the calibration block."),
            KernelLaunchLatencySec = latency,
            Notes = string.Join(" ", notes),
            Provenance = Provenance.Calibrated,
            SourcePath = "xqsim calibrate",
        };

        // Calibration shapes: none of them is in the validation grid (validate uses 1024/4096 tokens, width 1024;
        // 256 tokens, width 256 in its quick plan). Order matters: remat subtracts the dequantize rate.
        var rates = new Dictionary<string, double>(StringComparer.Ordinal);
        int t = plan.ClassTokens, w = plan.ClassWidth;
        Solve("quantize", DeviceKernelBench.Quantize(bench, t, w, 4, QuantAxis.PerToken), bench, profile, rates, reps, m, log);
        // Per-channel stats run another ILGPU kernel (one thread per token group and column).
        Solve("quantize.per_channel", DeviceKernelBench.Quantize(bench, t, w, 4, QuantAxis.PerChannel), bench, profile, rates, reps, m, log);
        Solve("dequantize", DeviceKernelBench.Dequantize(bench, t, w, 4), bench, profile, rates, reps, m, log);
        Solve("remat", DeviceKernelBench.Remat(bench, plan.RematTokens, w, 2 * w, 4), bench, profile, rates, reps, m, log);
        Solve("attention", DeviceKernelBench.AttentionFloat(bench, t, plan.AttentionHeads, plan.AttentionHeads, 64), bench, profile, rates, reps, m, log);

        var info = new CalibrationInfo(
            DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            "xqsim calibrate --device: ILGPU microbenchmarks on device-resident buffers (grid-stride read/copy/triad, shared-memory tiled fp32 GEMM, empty kernel, one ILGPU kernel per class at calibration shapes); each run is launch + Accelerator.Synchronize(), on a GPU with the L2 evicted before it; warm-up then median of repetitions"
                + (bench.IsEmulator ? ". " + EmulatorNote : ""),
            $"{DeviceTag(type)}: {bench.Details}",
            $"ILGPU {DeviceBench.IlgpuVersion}; {RuntimeInformation.FrameworkDescription} on {RuntimeInformation.OSDescription} ({RuntimeInformation.ProcessArchitecture})",
            Environment.MachineName,
            HostCalibrator.LoadAverage(),
            m);
        return profile with { AchievedFlopsPerSecByKind = rates, Calibration = info };
    }

    /// <summary>Times one class case on the device, then solves its rate exactly as the host calibration does.</summary>
    private static void Solve(string key, DeviceKernelCase k, DeviceBench bench, HardwareProfile hw, Dictionary<string, double> rates, int reps, List<CalibrationMeasurement> m, TextWriter log)
    {
        using (k)
        {
            HostCalibrator.Solve(key, k.Case, bench.Time(k.Case.Run, reps), hw, rates, reps, m, log);
        }
    }
}
