using System.Runtime.InteropServices;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Studies.Measurement;

/// <summary>How much work calibration does: full (real numbers) or quick (tests, smoke runs).</summary>
/// <param name="Rounds">Interleaved rounds: each times every microbenchmark once (see <see cref="Microbench.Interleaved"/>).</param>
/// <param name="SoakSec">
/// Seconds of untimed rounds before the timed ones. This host runs 10-25% slower after some seconds of sustained
/// load than when it starts from idle (a second calibrate right after a first measured 0.73-0.92x the rates), and
/// decode serving, like validate, is sustained load: calibration measures the steady state.
/// </param>
public sealed record CalibrationPlan(long StreamFloats, int Rounds, int LatencyRepetitions, bool ClassRates, double SoakSec = 0)
{
    /// <summary>Streams of 32 M floats (128 MB per array, far beyond any L3 here), 30 s of soak, 100 interleaved rounds (~20 s).</summary>
    public static CalibrationPlan Full => new(32L << 20, 100, 2000, true, 30);

    /// <summary>Small sizes, no soak, 3 rounds: seconds, for tests and smoke runs (not for real numbers).</summary>
    public static CalibrationPlan Quick => new(4L << 20, 3, 200, true);
}

/// <summary>
/// Measures this host with microbenchmarks only (never the validation kernels at validation shapes):
/// <list type="bullet">
/// <item>DRAM bandwidth: streaming read (sum), copy and triad over arrays far beyond the caches; the profile's DRAM
/// bandwidth is the weight-streaming GEMV's rate, because decode traffic is almost all weight and cache reads.</item>
/// <item>On-chip level: read bandwidth over working sets from 256 KB to 64 MB; the largest set still read at
/// >= 1.5x the DRAM rate is the on-chip capacity, its rate the on-chip bandwidth.</item>
/// <item>fp32 peak: the best achieved FLOP/s of the blocked GEMM over three shapes.</item>
/// <item>Dispatch latency: a Parallel.For over one item per core doing nothing.</item>
/// <item>Achieved FLOP/s per kernel class (elementwise, attention, quantize, dequantize, remat), each from one
/// microbenchmark at a calibration shape that the validation grid does not use; the other ops of a fused kernel
/// are subtracted with the rates already known. A class whose microbenchmark runs at its DRAM time still gets the
/// rate its time implies (see <see cref="Solve"/>).</item>
/// </list>
/// All microbenchmarks but the dispatch latency run interleaved, round after round, so a slow phase of the shared
/// host weighs on every rate alike instead of on whichever benchmark it happened to meet.
/// </summary>
public static class HostCalibrator
{
    public static HardwareProfile Run(CalibrationPlan plan, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(log);
        var calibration = new HostCalibration(plan);
        if (plan.SoakSec > 0)
        {
            log.WriteLine($"  soak: untimed rounds for {plan.SoakSec:F0} s (the host's steady state under load)");
            Microbench.Soak(calibration.Cases, plan.SoakSec);
        }
        log.WriteLine($"  {calibration.Cases.Count} microbenchmarks x {plan.Rounds} interleaved rounds");
        return calibration.Finish(Microbench.Interleaved(calibration.Cases, plan.Rounds), log);
    }

    /// <summary>One class microbenchmark's times: the class's achieved FLOP/s explains the time left after the other ops.</summary>
    internal static void Solve(string key, KernelCase k, IReadOnlyList<double> times, HardwareProfile hw, Dictionary<string, double> rates, int reps, List<CalibrationMeasurement> m, TextWriter log)
    {
        double t = ErrorStats.Median(times);
        var current = hw with { AchievedFlopsPerSecByKind = rates };
        double other = k.Ops.Where(o => Roofline.RateKey(o) != key).Sum(o => KernelCase.Bound(o, current));
        var mine = k.Ops.Where(o => Roofline.RateKey(o) == key).ToList();
        double flops = mine.Sum(o => o.Flops);
        double memory = mine.Sum(o => Roofline.Time(o, current).MemorySec);
        double left = t - other - (k.Dispatches * (hw.KernelLaunchLatencySec ?? 0));
        string note;
        // A microbenchmark that ran within 5% of its DRAM time is memory-bound, and its compute rate is only bounded
        // from below; the rate its time implies is kept anyway. Dropping it left the class at the GEMM peak, so its
        // on-chip ops (RoPE and softmax inside attention) cost nothing and the next class solved absorbed them:
        // whether RoPE looked memory-bound flipped from run to run and moved the attention rate 1.8x with it.
        if (left > 0 && flops > 0)
        {
            rates[key] = flops / left;
            note = left > memory * 1.05 ? $"{rates[key] / 1e9:F2} GFLOP/s achieved" : $"{rates[key] / 1e9:F2} GFLOP/s (at its DRAM time: memory-bound, a lower bound)";
        }
        else
        {
            note = "no time left after the other ops: no class rate";
        }
        m.Add(new CalibrationMeasurement($"class_{key}", flops / Math.Max(left, 1e-12), "flop/s", ErrorStats.Spread(times), reps, $"{k.Kernel} {k.Shape}; median {t * 1e3:F3} ms; {note}"));
        log.WriteLine($"  class {key}: {k.Kernel} {k.Shape}: {t * 1e3:F3} ms -> {note}");
    }

    internal static double Rate(string name, double work, IReadOnlyList<double> times, string unit, int reps, string size, List<CalibrationMeasurement> m, TextWriter log)
    {
        double med = ErrorStats.Median(times);
        double rate = work / med;
        m.Add(new CalibrationMeasurement(name, rate, unit, ErrorStats.Spread(times), reps, size));
        log.WriteLine($"  {name}: {rate / 1e9:F2} G{unit} (spread {ErrorStats.Spread(times) * 100:F1}%)");
        return rate;
    }

    internal static float[] Fill(long n, int seed)
    {
        var a = new float[n];
        var rng = new Random(seed);
        for (long i = 0; i < n; i++)
        {
            a[i] = rng.NextSingle();
        }
        return a;
    }

    internal static string Mb(long bytes) => bytes >= 1 << 20 ? $"{bytes >> 20} MB" : $"{bytes >> 10} KB";

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
}
