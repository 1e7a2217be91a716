using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using XQuant.Kernels.Engine;
using XQuant.Kernels.Fast;
using XQuant.Kernels.Quantization;
using XQuant.Sim.CostModel;
using XQuant.Sim.Hardware;
using XQuant.Sim.Validation;

namespace XQuant.Sim.Calibration;

/// <summary>How much work calibration does: full (minutes of a CI budget is too much) or quick (tests, smoke runs).</summary>
public sealed record CalibrationPlan(long StreamFloats, int Repetitions, int LatencyRepetitions, bool ClassRates)
{
    /// <summary>Streams of 32 M floats (128 MB per array, far beyond any L3 here), 7 repetitions.</summary>
    public static CalibrationPlan Full => new(32L << 20, 15, 2000, true);

    /// <summary>Small sizes, 3 repetitions: seconds, for tests and smoke runs (not for real numbers).</summary>
    public static CalibrationPlan Quick => new(4L << 20, 3, 200, true);
}

/// <summary>
/// Measures this host with microbenchmarks only (never the validation kernels at validation shapes):
/// <list type="bullet">
/// <item>DRAM bandwidth: streaming read (sum), copy and triad over arrays far beyond the caches; the profile's DRAM
/// bandwidth is the read rate, because decode traffic is almost all reads (weights, caches).</item>
/// <item>On-chip level: read bandwidth over working sets from 256 KB to 64 MB; the largest set still read at
/// >= 1.5x the DRAM rate is the on-chip capacity, its rate the on-chip bandwidth.</item>
/// <item>fp32 peak: the best achieved FLOP/s of the blocked GEMM over three shapes.</item>
/// <item>Dispatch latency: a Parallel.For over one item per core doing nothing.</item>
/// <item>Achieved FLOP/s per kernel class (elementwise, attention, quantize, dequantize, remat), each from one
/// microbenchmark at a calibration shape that the validation grid does not use; the other ops of a fused kernel
/// are subtracted with the rates already known. Classes found memory-bound get no entry.</item>
/// </list>
/// </summary>
public static class HostCalibrator
{
    public static HardwareProfile Run(CalibrationPlan plan, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(log);
        var m = new List<CalibrationMeasurement>();
        int reps = plan.Repetitions;
        long n = plan.StreamFloats;
        string mb = Mb(n * 4);

        var a = Fill(n, 1);
        var b = Fill(n, 2);
        var c = Fill(n, 3);
        var read = Rate("dram_read_bandwidth", n * 4.0, Microbench.Time(() => StreamKernels.Read(a, n), reps), "bytes/s", reps, $"1 x {mb}", m, log);
        Rate("dram_copy_bandwidth", n * 8.0, Microbench.Time(() => StreamKernels.Copy(a, b), reps), "bytes/s", reps, $"2 x {mb} (read + write, STREAM convention)", m, log);
        Rate("dram_triad_bandwidth", n * 12.0, Microbench.Time(() => StreamKernels.Triad(a, b, c, 0.5f), reps), "bytes/s", reps, $"3 x {mb} (STREAM convention)", m, log);

        double onChipCapacity = 0, onChipBw = 0;
        foreach (long bytes in new long[] { 256 << 10, 512 << 10, 1 << 20, 2 << 20, 4 << 20, 8 << 20, 16 << 20, 32 << 20, 64 << 20 })
        {
            long floats = Math.Min(bytes / 4, n);
            int loops = (int)Math.Max(1, (256L << 20) / bytes);
            var t = Microbench.Time(() =>
            {
                for (int i = 0; i < loops; i++)
                {
                    StreamKernels.Read(a, floats);
                }
            }, reps);
            double bw = Rate($"read_bandwidth_{Mb(bytes)}", floats * 4.0 * loops, t, "bytes/s", reps, $"{Mb(bytes)} working set x {loops}", m, log);
            if (bw >= 1.5 * read && bytes > onChipCapacity)
            {
                onChipCapacity = bytes;
                onChipBw = bw;
            }
        }
        a = b = c = [];
        GC.Collect();

        // Decode streams weights through a GEMV over panel-packed matrices, which reaches less than a plain
        // sequential read (panel strides, per-panel reductions). The profile's DRAM bandwidth is the rate that
        // access pattern achieves, measured on a matrix larger than any cache and of no shape validate uses.
        double gemvBandwidth;
        {
            bool quickPlan = plan.StreamFloats < (16L << 20);
            int gk = quickPlan ? 1024 : 4096, gn = quickPlan ? 2048 : 8192;
            var gw = new PackedWeights(Fill((long)gk * gn, 6), gk, gn);
            var gx = Fill(gk, 7);
            var gy = new float[gn];
            gemvBandwidth = Rate("dram_gemv_stream_bandwidth", (double)gk * gn * 4, Microbench.Time(() => EngineMath.Gemv(gx, gw, gy), reps, () => Microbench.FlushCaches()), "bytes/s", reps, $"GEMV through {gk} x {gn} packed fp32 weights ({Mb((long)gk * gn * 4)})", m, log);
        }
        GC.Collect();

        double peak = 0;
        foreach (var (mm, kk, nn) in new[] { (384, 1024, 1536), (768, 2048, 1024), (1536, 768, 768) })
        {
            var w = new PackedWeights(Fill((long)kk * nn, 4), kk, nn);
            var x = Fill((long)mm * kk, 5);
            var y = new float[(long)mm * nn];
            var src = FastCpu.Dense(x, kk);
            double f = Rate($"gemm_fp32_{mm}x{kk}x{nn}", 2.0 * mm * kk * nn, Microbench.Time(() => Gemm.Multiply(src, mm, w, y), reps), "flop/s", reps, $"m={mm} k={kk} n={nn}", m, log);
            peak = Math.Max(peak, f);
        }

        var lat = Microbench.Time(() => Parallel.For(0, Environment.ProcessorCount, _ => { }), plan.LatencyRepetitions, warmups: 100);
        double latency = ErrorStats.Median(lat);
        m.Add(new CalibrationMeasurement("dispatch_latency", latency, "s", ErrorStats.Percentile(lat.OrderBy(v => v).ToList(), 0.9) / latency - 1, plan.LatencyRepetitions, $"Parallel.For over {Environment.ProcessorCount} empty items; spread = P90 / median - 1"));
        log.WriteLine($"  dispatch_latency: {latency * 1e6:F2} us");

        var profile = new HardwareProfile
        {
            Id = "calibrated-host",
            Name = $"{CpuName()} ({Environment.ProcessorCount} threads), calibrated",
            Vendor = "host",
            Kind = DeviceKind.Cpu,
            ReleaseYear = DateTime.UtcNow.Year,
            PeakFlopsPerSec = new Dictionary<DType, double> { [DType.Fp32] = peak },
            PeakFlopsSource = "measured by xqsim calibrate (docs/validation.md)",
            PeakFlopsNote = "Achieved, not a datasheet peak: best fp32 FLOP/s of the blocked GEMM (XQuant.Kernels.Fast.Gemm) over three shapes.",
            Dram = new MemoryLevel("host DRAM", GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, gemvBandwidth, "measured by xqsim calibrate (docs/validation.md)", "Weight-streaming rate of the engine's GEMV over a 128 MB packed matrix; plain read, copy and triad are in the calibration block."),
            OnChip = onChipCapacity > 0 ? new MemoryLevel("caches (measured knee)", onChipCapacity, onChipBw, "measured by xqsim calibrate (docs/validation.md)", "Largest working set read at >= 1.5x the DRAM rate, and that rate.") : null,
            KernelLaunchLatencySec = latency,
            Provenance = Provenance.Calibrated,
            SourcePath = "xqsim calibrate",
        };

        var rates = new Dictionary<string, double>(StringComparer.Ordinal);
        if (plan.ClassRates)
        {
            bool quick = plan.StreamFloats < (16L << 20);
            int t = quick ? 768 : 3072;
            // Calibration shapes: none of them is in the validation grid (validate uses 1024/4096 tokens, width 1024).
            Solve("elementwise", KernelBench.Rope(t, 512, 64), profile, rates, reps, m, log);
            Solve("attention", KernelBench.AttentionFloat(t, 8, 8, 64), profile, rates, reps, m, log);
            // Shapes the validation grid never uses, but the bit width it uses most (4): code extraction speed
            // depends on the width (3-bit codes straddle bytes), and a rate measured at 3 bits mispredicts 4.
            Solve("quantize", KernelBench.Quantize(t, 768, 4, QuantAxis.PerToken), profile, rates, reps, m, log);
            Solve("dequantize", KernelBench.Dequantize(t, 768, 4), profile, rates, reps, m, log);
            Solve("remat", KernelBench.Remat(quick ? 256 : 768, 768, 1536, 4), profile, rates, reps, m, log);
        }
        var info = new CalibrationInfo(
            DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            "xqsim calibrate: microbenchmarks only (stream read/copy/triad, read-bandwidth sweep, blocked GEMM, empty Parallel.For, one kernel per class at calibration shapes); warm-up then median of repetitions",
            $"CPU: {CpuName()}, {Environment.ProcessorCount} threads, Vector512 {(FastCpu.Vectorized ? "on" : "off")}",
            $"{RuntimeInformation.FrameworkDescription} on {RuntimeInformation.OSDescription} ({RuntimeInformation.ProcessArchitecture})",
            Environment.MachineName,
            LoadAverage(),
            m);
        return profile with { AchievedFlopsPerSecByKind = rates, Calibration = info, Provenance = Provenance.Calibrated };
    }

    /// <summary>Times one class microbenchmark; the class's achieved FLOP/s explains the time left after the other ops.</summary>
    private static void Solve(string kind, KernelCase k, HardwareProfile hw, Dictionary<string, double> rates, int reps, List<CalibrationMeasurement> m, TextWriter log)
    {
        var times = Microbench.Time(k.Run, reps, () => Microbench.FlushCaches());
        double t = ErrorStats.Median(times);
        var current = hw with { AchievedFlopsPerSecByKind = rates };
        double other = k.Ops.Where(o => Roofline.KindName(o.Kind) != kind).Sum(o => KernelCase.Bound(o, current));
        var mine = k.Ops.Where(o => Roofline.KindName(o.Kind) == kind).ToList();
        double flops = mine.Sum(o => o.Flops);
        double memory = mine.Sum(o => Roofline.Time(o, current).MemorySec);
        double left = t - other - (k.Dispatches * (hw.KernelLaunchLatencySec ?? 0));
        string note;
        if (left > memory * 1.05 && flops > 0)
        {
            rates[kind] = flops / left;
            note = $"{rates[kind] / 1e9:F2} GFLOP/s achieved";
        }
        else
        {
            note = "memory-bound: no class rate";
        }
        m.Add(new CalibrationMeasurement($"class_{kind}", flops / Math.Max(left, 1e-12), "flop/s", ErrorStats.Spread(times), reps, $"{k.Kernel} {k.Shape}; median {t * 1e3:F3} ms; {note}"));
        log.WriteLine($"  class {kind}: {k.Kernel} {k.Shape}: {t * 1e3:F3} ms -> {note}");
    }

    private static double Rate(string name, double work, IReadOnlyList<double> times, string unit, int reps, string size, List<CalibrationMeasurement> m, TextWriter log)
    {
        double med = ErrorStats.Median(times);
        double rate = work / med;
        m.Add(new CalibrationMeasurement(name, rate, unit, ErrorStats.Spread(times), reps, size));
        log.WriteLine($"  {name}: {rate / 1e9:F2} G{unit} (spread {ErrorStats.Spread(times) * 100:F1}%)");
        return rate;
    }

    private static float[] Fill(long n, int seed)
    {
        var a = new float[n];
        var rng = new Random(seed);
        for (long i = 0; i < n; i++)
        {
            a[i] = rng.NextSingle();
        }
        return a;
    }

    private static string Mb(long bytes) => bytes >= 1 << 20 ? $"{bytes >> 20} MB" : $"{bytes >> 10} KB";

    public static string CpuName()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                if (line is not null)
                {
                    return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
        }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    /// <summary>The 1/5/15-minute load averages (Linux), so readers can judge how busy the host was.</summary>
    public static string LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    internal static string Elapsed(Stopwatch sw) => sw.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture);
}
