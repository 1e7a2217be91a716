using System.Globalization;
using System.Runtime.InteropServices;
using XQuant.Kernels.Engine;
using XQuant.Kernels.Fast;
using XQuant.Kernels.Quantization;
using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Studies.Measurement;

/// <summary>
/// The host's calibration microbenchmarks, allocated and ready to time (<see cref="Cases"/>), and the step that
/// turns their times into a calibrated profile (<see cref="Finish"/>). Split so that <c>calibrate</c> can time them
/// alone and <c>validate</c> can time them interleaved with the kernels and decode steps it scores: a calibration
/// taken in the same minutes as the runs it predicts is free of the host's drift between two commands.
/// </summary>
public sealed class HostCalibration
{
    private static readonly long[] Sweep = [256 << 10, 512 << 10, 1 << 20, 2 << 20, 4 << 20, 8 << 20, 16 << 20, 32 << 20, 64 << 20];
    private static readonly (int M, int K, int N)[] Gemms = [(384, 1024, 1536), (768, 2048, 1024), (1536, 768, 768)];

    private readonly long n;
    private readonly int gk;
    private readonly int gn;
    private readonly int latencyRepetitions;
    private readonly List<(string Key, KernelCase Case)> classes;

    public HostCalibration(CalibrationPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        latencyRepetitions = plan.LatencyRepetitions;
        n = plan.StreamFloats;
        bool quick = plan.StreamFloats < (16L << 20);
        static void Flush() => Microbench.FlushCaches();

        var a = HostCalibrator.Fill(n, 1);
        var b = HostCalibrator.Fill(n, 2);
        var c = HostCalibrator.Fill(n, 3);
        cases.Add(new("read", () => StreamKernels.Read(a, n)));
        cases.Add(new("copy", () => StreamKernels.Copy(a, b)));
        cases.Add(new("triad", () => StreamKernels.Triad(a, b, c, 0.5f)));
        foreach (long bytes in Sweep)
        {
            long floats = Math.Min(bytes / 4, n);
            int loops = Loops(bytes);
            cases.Add(new($"sweep {HostCalibrator.Mb(bytes)}", () =>
            {
                for (int i = 0; i < loops; i++)
                {
                    StreamKernels.Read(a, floats);
                }
            }));
        }

        // Decode streams weights through a GEMV over panel-packed matrices, which reaches less than a plain
        // sequential read (panel strides, per-panel reductions). The profile's DRAM bandwidth is the rate that
        // access pattern achieves, measured on a matrix larger than any cache and of no shape validate uses. No
        // flush first: 128 MB streamed in order leaves nothing in a 32 MB cache for the next run, and decode
        // streams its weights without one; a flush's dirty lines, written back during the GEMV, cut the measured
        // rate to 21-22 GB/s (spreads over 100%) in validate's rounds while the engine's GEMVs ran at 25-28.
        gk = quick ? 1024 : 4096;
        gn = quick ? 2048 : 8192;
        var gw = new PackedWeights(HostCalibrator.Fill((long)gk * gn, 6), gk, gn);
        var gx = HostCalibrator.Fill(gk, 7);
        var gy = new float[gn];
        cases.Add(new("gemv", () => EngineMath.Gemv(gx, gw, gy)));

        foreach (var (mm, kk, nn) in Gemms)
        {
            var w = new PackedWeights(HostCalibrator.Fill((long)kk * nn, 4), kk, nn);
            var x = HostCalibrator.Fill((long)mm * kk, 5);
            var y = new float[(long)mm * nn];
            var src = FastCpu.Dense(x, kk);
            cases.Add(new($"gemm {mm}x{kk}x{nn}", () => Gemm.Multiply(src, mm, w, y)));
        }

        // Calibration shapes: none of them is in the validation grid (validate uses 1024/4096 tokens, width 1024).
        // The bit width is the one the grid uses most (4): code extraction speed depends on the width (3-bit codes
        // straddle bytes), and a rate measured at 3 bits mispredicts 4.
        int t = quick ? 768 : 3072;
        classes = !plan.ClassRates ? [] : new List<(string Key, KernelCase Case)>
        {
            ("elementwise", KernelBench.Rope(t, 512, 64)),
            ("attention", KernelBench.AttentionFloat(t, 8, 8, 64)),
            ("attention.fp16_kv", KernelBench.AttentionFp16(t, 8, 8, 64)),
            // Grouped KV heads (4 query heads per KV head, as Llama-3-8B): the per-element work is shared.
            ("attention.gqa", KernelBench.AttentionFloat(t, 8, 2, 64)),
            ("attention.fp16_kv_gqa", KernelBench.AttentionFp16(t, 8, 2, 64)),
            ("quantize", KernelBench.Quantize(t, 768, 4, QuantAxis.PerToken)),
            ("quantize.per_channel", KernelBench.Quantize(t, 768, 4, QuantAxis.PerChannel)),
            ("dequantize", KernelBench.Dequantize(t, 768, 4)),
            // Dequantization inside attention's tiles (KIVI): no output written, interleaved with the dot products.
            ("dequantize.fused", KernelBench.AttentionKivi(t, 8, 8, 64, 2)),
            ("remat", KernelBench.Remat(quick ? 256 : 768, 768, 1536, 4)),
        };
        foreach (var (key, k) in classes)
        {
            cases.Add(new($"class {key}", k.Run, Flush));
        }
    }

    private readonly List<TimedCase> cases = [];

    /// <summary>The microbenchmarks, in the order <see cref="Finish"/> expects their times.</summary>
    public IReadOnlyList<TimedCase> Cases => cases;

    /// <summary>Each working set of the sweep is read enough times to move 64 MB, so one run is long enough to time.</summary>
    private static int Loops(long bytes) => (int)Math.Max(1, (64L << 20) / bytes);

    /// <summary>The calibrated profile from each case's times (seconds, in <see cref="Cases"/> order).</summary>
    public HardwareProfile Finish(IReadOnlyList<IReadOnlyList<double>> times, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(times);
        ArgumentNullException.ThrowIfNull(log);
        if (times.Count != Cases.Count)
        {
            throw new ArgumentException($"{times.Count} time series for {Cases.Count} microbenchmarks", nameof(times));
        }
        var m = new List<CalibrationMeasurement>();
        int rounds = times.Min(t => t.Count);
        string mb = HostCalibrator.Mb(n * 4);
        int next = 0;
        IReadOnlyList<double> Next() => times[next++];

        double read = HostCalibrator.Rate("dram_read_bandwidth", n * 4.0, Next(), "bytes/s", rounds, $"1 x {mb}", m, log);
        HostCalibrator.Rate("dram_copy_bandwidth", n * 8.0, Next(), "bytes/s", rounds, $"2 x {mb} (read + write, STREAM convention)", m, log);
        HostCalibrator.Rate("dram_triad_bandwidth", n * 12.0, Next(), "bytes/s", rounds, $"3 x {mb} (STREAM convention)", m, log);
        double onChipCapacity = 0, onChipBw = 0;
        var sweepRates = new List<(long Bytes, double Bw)>();
        foreach (long bytes in Sweep)
        {
            long floats = Math.Min(bytes / 4, n);
            sweepRates.Add((bytes, HostCalibrator.Rate($"read_bandwidth_{HostCalibrator.Mb(bytes)}", floats * 4.0 * Loops(bytes), Next(), "bytes/s", rounds, $"{HostCalibrator.Mb(bytes)} working set x {Loops(bytes)}", m, log)));
        }
        double gemvBandwidth = HostCalibrator.Rate("dram_gemv_stream_bandwidth", (double)gk * gn * 4, Next(), "bytes/s", rounds, $"GEMV through {gk} x {gn} packed fp32 weights ({HostCalibrator.Mb((long)gk * gn * 4)}), streamed from DRAM (larger than the caches)", m, log);
        foreach (var (bytes, bw) in sweepRates)
        {
            // Judged against the plain read from DRAM: the sweep's access pattern.
            if (bw >= 1.5 * read && bytes > onChipCapacity)
            {
                onChipCapacity = bytes;
                onChipBw = bw;
            }
        }
        double peak = 0;
        foreach (var (mm, kk, nn) in Gemms)
        {
            peak = Math.Max(peak, HostCalibrator.Rate($"gemm_fp32_{mm}x{kk}x{nn}", 2.0 * mm * kk * nn, Next(), "flop/s", rounds, $"m={mm} k={kk} n={nn}", m, log));
        }

        var lat = Microbench.Time(() => Parallel.For(0, Environment.ProcessorCount, _ => { }), latencyRepetitions, warmups: 100);
        double latency = ErrorStats.Median(lat);
        m.Add(new CalibrationMeasurement("dispatch_latency", latency, "s", ErrorStats.Spread(lat), latencyRepetitions, $"Parallel.For over {Environment.ProcessorCount} empty items"));
        log.WriteLine($"  dispatch_latency: {latency * 1e6:F2} us");

        var profile = new HardwareProfile
        {
            Id = "calibrated-host",
            Name = $"{HostCalibrator.CpuName()} ({Environment.ProcessorCount} threads), calibrated",
            Vendor = "host",
            Kind = DeviceKind.Cpu,
            ReleaseYear = DateTime.UtcNow.Year,
            PeakFlopsPerSec = new Dictionary<DType, double> { [DType.Fp32] = peak },
            PeakFlopsSource = "measured by xqsim calibrate (docs/validation.md)",
            PeakFlopsNote = "Achieved, not a datasheet peak: best fp32 FLOP/s of the blocked GEMM (XQuant.Kernels.Fast.Gemm) over three shapes.",
            Dram = new MemoryLevel("host DRAM", GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, gemvBandwidth, "measured by xqsim calibrate (docs/validation.md)", $"Weight-streaming rate of the engine's GEMV over a {HostCalibrator.Mb((long)gk * gn * 4)} packed matrix; plain read, copy and triad are in the calibration block."),
            OnChip = onChipCapacity > 0 ? new MemoryLevel("caches (measured knee)", onChipCapacity, onChipBw, "measured by xqsim calibrate (docs/validation.md)", "Largest working set read at >= 1.5x the DRAM rate, and that rate.") : null,
            KernelLaunchLatencySec = latency,
            Provenance = Provenance.Calibrated,
            SourcePath = "xqsim calibrate",
        };

        var rates = new Dictionary<string, double>(StringComparer.Ordinal);
        // In this order: each microbenchmark's other ops take the rates solved before it.
        foreach (var (key, k) in classes)
        {
            HostCalibrator.Solve(key, k, Next(), profile, rates, rounds, m, log);
        }
        var info = new CalibrationInfo(
            DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            $"xqsim calibrate: microbenchmarks only (stream read/copy/triad, read-bandwidth sweep, weight-streaming GEMV, blocked GEMM, one kernel per class at calibration shapes), one warm-up each, then {rounds} interleaved rounds and the median; dispatch latency: empty Parallel.For, median of {latencyRepetitions}",
            $"CPU: {HostCalibrator.CpuName()}, {Environment.ProcessorCount} threads, Vector512 {(FastCpu.Vectorized ? "on" : "off")}",
            $"{RuntimeInformation.FrameworkDescription} on {RuntimeInformation.OSDescription} ({RuntimeInformation.ProcessArchitecture})",
            Environment.MachineName,
            HostCalibrator.LoadAverage(),
            m);
        return profile with { AchievedFlopsPerSecByKind = rates, Calibration = info, Provenance = Provenance.Calibrated };
    }
}
