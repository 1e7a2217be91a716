using System.Runtime.Intrinsics;
using XQuant.Kernels.Engine;
using XQuant.Kernels.Fast;
using XQuant.Kernels.Quantization;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Foundation.Concurrency;

namespace XQuant.Sim.Studies.Measurement;

/// <summary>
/// Every performance figure as a ratio to its physical limit, both measured in the same interleaved rounds on this
/// host: bandwidth-bound kernels against a read-only pass over the same bytes, GEMMs against an FMA loop on registers
/// (and OpenBLAS sgemm where installed), the cost model on N threads against N times its one-thread rate. A shared
/// host's load lands on figure and limit alike, so the ratio (median and spread over rounds) is the number to read.
/// </summary>
public static class LimitBench
{
    private const string ReadOnly = "read-only pass";
    private const string FmaPeak = "FMA peak (register-only loop)";
    private const string Sgemm = "OpenBLAS sgemm";

    public static LimitBenchResult Run(LimitBenchRequest r, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(log);
        string loadBefore = HostCalibrator.LoadAverage();
        var notes = new List<string>();
        var cases = new List<TimedCase>();
        // Each figure: its case, the work one run does (bytes, FLOPs or cases), the unit's scale, and its limit.
        var figures = new List<(string Name, string Unit, double Work, double Scale, string? Limit)>();
        void Add(string name, string unit, double work, double scale, string? limit, Action run)
        {
            cases.Add(new TimedCase(name, run));
            figures.Add((name, unit, work, scale, limit));
        }

        int threads = Environment.ProcessorCount;
        int tokens = r.Quick ? 512 : 8192, d = 4096;
        long elems = (long)tokens * d;
        var x = HostCalibrator.Fill(elems, 1);
        var copy = new float[elems];
        Add(ReadOnly, "GB/s read", elems * 4.0, 1e9, null, () => StreamKernels.Read(x, elems));
        Add("copy (read + write)", "GB/s moved", elems * 8.0, 1e9, ReadOnly, () => StreamKernels.Copy(x, copy));
        foreach (var spec in new[]
        {
            new QuantSpec(4, 128, QuantAxis.PerToken), new QuantSpec(2, 128, QuantAxis.PerToken),
            new QuantSpec(4, 128, QuantAxis.PerChannel), new QuantSpec(2, 128, QuantAxis.PerChannel),
        })
        {
            var q = QuantizedMatrix.Allocate(tokens, d, spec);
            Add($"quantize {spec}", "GB/s read", elems * 4.0, 1e9, ReadOnly, () => FastCpu.QuantizeInto(x, q));
        }

        long iterations = r.Quick ? 100_000 : 20_000_000;
        Add(FmaPeak, "GFLOP/s", PeakKernels.Flops(threads, iterations), 1e9, null, () => PeakKernels.Fma(threads, iterations));
        int m = r.Quick ? 128 : 1024, k = r.Quick ? 512 : 4096, n = r.Quick ? 256 : 2048;
        double flops = 2.0 * m * n * k;
        var a = HostCalibrator.Fill((long)m * k, 2);
        var w = HostCalibrator.Fill((long)k * n, 3);
        var packed = new PackedWeights(w, k, n);
        var xq = FastCpu.Quantize(a, m, k, new QuantSpec(4, 128, QuantAxis.PerToken));
        var dense = FastCpu.Dense(a, k);
        var c1 = new float[(long)m * n];
        var c2 = new float[(long)m * n];
        // OpenBLAS 0.3.21 predates Zen 5 and may pick a generic kernel unless told the core type: a full run sets it
        // for this process only; a quick run (tests, smoke runs) leaves the environment alone.
        string? coreType = Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE");
        if (coreType is null && !r.Quick && OpenBlasSgemm.SetNativeEnv("OPENBLAS_CORETYPE", "SkylakeX"))
        {
            coreType = "SkylakeX";
        }
        var blas = OpenBlasSgemm.TryLoad(out string reason);
        string shape = $"{m} x {k} x {n}";
        if (blas is not null)
        {
            var c3 = new float[(long)m * n];
            Add($"{Sgemm} {shape}", "GFLOP/s", flops, 1e9, FmaPeak, () => blas.Multiply(a, w, c3, m, n, k));
            notes.Add($"{Sgemm}: {blas.Path}, OPENBLAS_CORETYPE={coreType ?? "unset (OpenBLAS picks its kernel)"}");
        }
        else
        {
            notes.Add($"{Sgemm}: not measured ({reason}); the GEMMs are read against the FMA peak only");
        }
        Add($"fast GEMM, dense float A, {shape}", "GFLOP/s", flops, 1e9, FmaPeak, () => Gemm.Multiply(dense, m, packed, c1));
        Add($"fused dequantize + remat GEMM, 4-bit X, {shape}", "GFLOP/s", flops, 1e9, FmaPeak, () => FastCpu.RematInto(xq, packed, c2));

        string oneThread = "cost model, 1 thread";
        int costThreads = Math.Max(2, r.Threads);
        if (r.CostCases.Count > 0)
        {
            int count = r.Quick ? 256 : 100_000; // ~0.5 s a round: long enough for the server GC to settle on its heaps
            var work = Enumerable.Range(0, count).Select(i => r.CostCases[i % r.CostCases.Count]).ToList();
            Add(oneThread, "cases/s", count, 1, null, () => Drain(work, 1));
            Add($"cost model, {costThreads} threads (ordered)", "cases/s", count, 1, $"{costThreads} x {oneThread}", () => Drain(work, costThreads));
            notes.Add($"cost model: full cases (ledger, roofline, capacity, throughput at max batch) through the ordered pipeline of xqsim run; the limit of N threads is N times the one-thread rate of the same round");
        }

        log.WriteLine($"  {cases.Count} figures x {r.Rounds} interleaved rounds (load average {loadBefore})");
        var (times, cpu) = Interleaved(cases, r.Rounds);
        var rows = new List<LimitRow>();
        for (int i = 0; i < figures.Count; i++)
        {
            var f = figures[i];
            var rate = times[i].Select(t => f.Work / t).ToList();
            double median = Median(rate) / f.Scale;
            if (f.Limit is null)
            {
                rows.Add(new LimitRow(f.Name, f.Unit, median, null, double.NaN, double.NaN, double.NaN));
                continue;
            }
            bool scaled = f.Limit.EndsWith(oneThread, StringComparison.Ordinal);
            int j = scaled ? figures.FindIndex(g => g.Name == oneThread) : figures.FindIndex(g => g.Name == f.Limit);
            var limit = figures[j];
            var ratios = Enumerable.Range(0, r.Rounds)
                .Select(round => rate[round] / (limit.Work / times[j][round] * (scaled ? costThreads : 1)))
                .ToList();
            var cpuRatios = Enumerable.Range(0, r.Rounds)
                .Select(round => (f.Work / cpu[i][round]) / (limit.Work / cpu[j][round]))
                .Where(double.IsFinite)
                .ToList();
            rows.Add(cpuRatios.Count == 0
                ? new LimitRow(f.Name, f.Unit, median, f.Limit, Median(ratios), ratios.Min(), ratios.Max())
                : new LimitRow(f.Name, f.Unit, median, f.Limit, Median(ratios), ratios.Min(), ratios.Max(), Median(cpuRatios), cpuRatios.Min(), cpuRatios.Max()));
        }
        string host = $"{HostCalibrator.CpuName()}, {threads} hardware threads, Vector512 {(Vector512.IsHardwareAccelerated ? "on" : "off")}, fast path vectorized: {FastCpu.Vectorized}, .NET {Environment.Version}";
        notes.Add($"bandwidth figures: {tokens} x {d} floats ({elems * 4.0 / (1 << 20):F0} MiB), more than this host's caches{(r.Quick ? " (quick sizes: mostly in cache, not the DRAM limit)" : "")}; every kernel runs on all {threads} hardware threads");
        return new LimitBenchResult(rows, r.Rounds, host, loadBefore, HostCalibrator.LoadAverage(), notes);
    }

    /// <summary>
    /// Like <see cref="Microbench.Interleaved"/> (one warm-up each, then rounds with a rotating start), timing each run
    /// in wall seconds and in this process's CPU seconds.
    /// </summary>
    private static (List<List<double>> Wall, List<List<double>> Cpu) Interleaved(List<TimedCase> cases, int rounds)
    {
        foreach (var c in cases)
        {
            c.Run();
        }
        var wall = cases.Select(_ => new List<double>(rounds)).ToList();
        var cpu = cases.Select(_ => new List<double>(rounds)).ToList();
        for (int round = 0; round < rounds; round++)
        {
            for (int k = 0; k < cases.Count; k++)
            {
                int i = (round + k) % cases.Count;
                double c0 = ProcessCpuClock.Seconds();
                long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                cases[i].Run();
                wall[i].Add(System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds);
                cpu[i].Add(ProcessCpuClock.Seconds() - c0);
            }
        }
        return (wall, cpu);
    }

    private static void Drain(List<Workload> work, int threads)
    {
        // Like `run`, whose workers hand over only a case's CSV lines, nothing of a costed case waits in flight.
        foreach (bool _ in OrderedParallel.Select(work, w => CaseCoster.Cost(w) is not null, threads))
        {
        }
    }

    private static double Median(IReadOnlyList<double> v)
    {
        var s = v.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[(s.Count / 2) - 1] + s[s.Count / 2]) / 2;
    }
}
