using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using XQuant.Bench;
using XQuant.Kernels.Fast;
using XQuant.Kernels.Metrics;
using XQuant.Kernels.Quantization;

// Kernel benchmark: every ratio compares two things measured in this one run, on this machine.
// Usage: dotnet run --project XQuant.Bench -c Release [--quick] [--stream]
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
bool quick = args.Contains("--quick");
bool streamOnly = args.Contains("--stream");
int repeats = quick ? 3 : 5;
int streamRepeats = quick ? 5 : 9;

static double Median(int repeats, Action run)
{
    run();
    var t = new double[repeats];
    for (int i = 0; i < repeats; i++)
    {
        long s = Stopwatch.GetTimestamp();
        run();
        t[i] = Stopwatch.GetElapsedTime(s).TotalSeconds;
    }
    Array.Sort(t);
    return t[repeats / 2];
}

// Runs the actions in turn (a[0], a[1], ..., a[0], a[1], ...) so that all see the same background load; returns each
// one's median time and, for each, the median over rounds of (time of a[0]) / (time of a[k]).
static (double[] Median, double[] RatioToFirst) Alternate(int repeats, params Action[] a)
{
    foreach (var run in a)
    {
        run();
    }
    var t = new double[a.Length][];
    for (int k = 0; k < a.Length; k++)
    {
        t[k] = new double[repeats];
    }
    for (int i = 0; i < repeats; i++)
    {
        for (int k = 0; k < a.Length; k++)
        {
            long s = Stopwatch.GetTimestamp();
            a[k]();
            t[k][i] = Stopwatch.GetElapsedTime(s).TotalSeconds;
        }
    }
    var median = new double[a.Length];
    var ratio = new double[a.Length];
    for (int k = 0; k < a.Length; k++)
    {
        var r = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            r[i] = t[0][i] / t[k][i];
        }
        Array.Sort(r);
        ratio[k] = r[repeats / 2];
        var sorted = (double[])t[k].Clone();
        Array.Sort(sorted);
        median[k] = sorted[repeats / 2];
    }
    return (median, ratio);
}

Console.WriteLine($"machine: {Environment.ProcessorCount} threads, Vector512 {(Vector512.IsHardwareAccelerated ? "on" : "off")}, fast path vectorized: {FastCpu.Vectorized}, .NET {Environment.Version}");
Console.WriteLine($"median of {repeats} runs after one warm-up");
Console.WriteLine();

// 1. Streaming: a plain vectorized copy vs the fast quantizer over the same input.
int tokens = quick ? 4096 : 16384, d = 4096;
long elems = (long)tokens * d;
var x = new float[elems];
var rng = new Random(1);
for (long i = 0; i < elems; i++)
{
    x[i] = (rng.NextSingle() * 2) - 1;
}
var copyDst = new float[elems];
// Copy and quantize run alternately (copy, quantize, copy, quantize, ...) so that both see the same background
// load; the ratio is the median of the per-pair ratios. Both use Parallel.For with at most ProcessorCount threads.
// Bandwidth of a quantizer = bytes of float input read per second (4 bytes per element); the copy's figure is
// its read + write traffic (8 bytes per element), the machine's streaming bandwidth.
Console.WriteLine($"[stream] input {tokens} x {d} floats ({elems * 4.0 / (1 << 20):F0} MiB), copy and quantize alternated {streamRepeats} times");
Console.WriteLine("  quantize GB/s = float input read per second; copy GB/s = read + write; ratio = median over pairs of quantize / copy");
var specs = new[]
{
    new QuantSpec(4, 128, QuantAxis.PerToken), new QuantSpec(2, 128, QuantAxis.PerToken), new QuantSpec(3, 128, QuantAxis.PerToken),
    new QuantSpec(8, 128, QuantAxis.PerToken), new QuantSpec(4, 128, QuantAxis.PerChannel), new QuantSpec(2, 128, QuantAxis.PerChannel),
};
foreach (var spec in specs)
{
    var q = QuantizedMatrix.Allocate(tokens, d, spec);
    bool goal = spec.Bits == 4;
    // The 4-bit lines also time a read-only pass (a vectorized sum): the most any reader of this input can reach.
    var actions = goal
        ? new Action[] { () => Copy(x, copyDst), () => FastCpu.QuantizeInto(x, q), () => ReadOnly(x) }
        : new Action[] { () => Copy(x, copyDst), () => FastCpu.QuantizeInto(x, q) };
    var (median, ratioToCopy) = Alternate(streamRepeats, actions);
    double copySec = median[0], quantSec = median[1];
    double copyTraffic = elems * 8.0 / copySec, read = elems * 4.0 / quantSec;
    // Quantize reads 4 bytes per element where the copy moves 8: its share of copy bandwidth is (copy time / quantize time) / 2.
    double ratio = ratioToCopy[1] / 2;
    Console.WriteLine($"  quantize {spec,-22}: {quantSec * 1e3,6:F2} ms, {read / 1e9,5:F1} GB/s read | copy {copySec * 1e3,6:F2} ms, {copyTraffic / 1e9,5:F1} GB/s | {ratio * 100,3:F0}% of copy{(goal ? "   <- goal >= 50%" : "")}");
    if (goal)
    {
        double readSec = median[2];
        Console.WriteLine($"    read-only pass over the same input: {readSec * 1e3:F2} ms, {elems * 4.0 / readSec / 1e9:F1} GB/s read; quantize = {ratioToCopy[1] / ratioToCopy[2] * 100:F0}% of its speed");
    }
}

// Compute cost without DRAM: a 64 x 4096 input (1 MiB) quantized over and over, same threads.
{
    int smallRows = 64;
    var xs = x.AsSpan(0, smallRows * d).ToArray();
    Console.WriteLine($"[in-cache] {smallRows} x {d} floats (1 MiB), ns per element per thread ({Environment.ProcessorCount} threads):");
    foreach (var spec in specs)
    {
        var q = QuantizedMatrix.Allocate(smallRows, d, spec);
        int inner = 20;
        double sec = Median(repeats, () =>
        {
            for (int i = 0; i < inner; i++)
            {
                FastCpu.QuantizeInto(xs, q);
            }
        }) / inner;
        Console.WriteLine($"  {spec,-22}: {sec * 1e9 * Environment.ProcessorCount / (smallRows * (double)d):F3} ns");
    }
}
Console.WriteLine();
if (streamOnly)
{
    return;
}

// 2. GEMM: OpenBLAS sgemm on dense floats vs the fused dequant + remat GEMM on 4-bit X, same shapes.
int m = quick ? 1024 : 4096, k = 4096, n = 2048;
Console.WriteLine($"[gemm] [K|V] = X^ [Wk|Wv]: tokens {m} x d {k} x 2*d_kv {n} ({2.0 * m * n * k / 1e9:F1} GFLOP)");
var a = new float[(long)m * k];
Array.Copy(x, a, a.Length);
var w = new float[(long)k * n];
for (long i = 0; i < w.Length; i++)
{
    w[i] = ((rng.NextSingle() * 2) - 1) * 0.02f;
}
double flops = 2.0 * m * n * k;
var xq = FastCpu.Quantize(a, m, k, new QuantSpec(4, 128, QuantAxis.PerToken));
var packed = new PackedWeights(w, k, n);
var c = new float[(long)m * n];
double fusedSec = Median(repeats, () => FastCpu.RematInto(xq, packed, c));
var dense = new float[(long)m * n];
double denseSec = Median(repeats, () => Gemm.Multiply(FastCpu.Dense(a, k), m, packed, dense));
Console.WriteLine($"  fast CPU GEMM, dense float A:           {denseSec * 1e3:F1} ms, {flops / denseSec / 1e9:F1} GFLOP/s");
Console.WriteLine($"  fast CPU fused dequant + remat (4-bit): {fusedSec * 1e3:F1} ms, {flops / fusedSec / 1e9:F1} GFLOP/s");
// OpenBLAS 0.3.21 predates Zen 5; without a core type it may pick a slow generic kernel. Zen 5 has AVX-512.
if (!OpenBlas.SetEnv("OPENBLAS_CORETYPE", Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") ?? "SkylakeX"))
{
    Console.WriteLine("  note: could not set OPENBLAS_CORETYPE");
}
var blas = OpenBlas.TryLoad(out string reason);
if (blas is null)
{
    Console.WriteLine($"  OpenBLAS: {reason}");
}
else
{
    var cb = new float[(long)m * n];
    double blasSec = Median(repeats, () => blas.Sgemm(a, w, cb, m, n, k));
    Console.WriteLine($"  OpenBLAS sgemm ({blas.Path}, OPENBLAS_CORETYPE={Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") ?? "SkylakeX"}): {blasSec * 1e3:F1} ms, {flops / blasSec / 1e9:F1} GFLOP/s");
    Console.WriteLine($"  fused remat = {blasSec / fusedSec * 100:F0}% of OpenBLAS sgemm   <- goal >= 50%; dense fast GEMM = {blasSec / denseSec * 100:F0}%");
    Console.WriteLine($"  check: fast dense GEMM vs sgemm relative error {ErrorMetrics.RelativeFrobenius(cb, dense):G3}");
}

static unsafe void ReadOnly(float[] src)
{
    int chunks = Environment.ProcessorCount;
    var sums = new float[chunks];
    Parallel.For(0, chunks, i =>
    {
        long lo = src.LongLength * i / chunks, hi = src.LongLength * (i + 1) / chunks;
        fixed (float* ps = src)
        {
            long j = lo;
            var acc = Vector512<float>.Zero;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; j + 64 <= hi; j += 64)
                {
                    acc += Vector512.Load(ps + j) + Vector512.Load(ps + j + 16) + Vector512.Load(ps + j + 32) + Vector512.Load(ps + j + 48);
                }
            }
            float sum = Vector512.Sum(acc);
            for (; j < hi; j++)
            {
                sum += ps[j];
            }
            sums[i] = sum;
        }
    });
    GC.KeepAlive(sums);
}

static unsafe void Copy(float[] src, float[] dst)
{
    int chunks = Environment.ProcessorCount;
    Parallel.For(0, chunks, i =>
    {
        long lo = src.LongLength * i / chunks, hi = src.LongLength * (i + 1) / chunks;
        fixed (float* ps = src, pd = dst)
        {
            long j = lo;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; j + 64 <= hi; j += 64)
                {
                    Vector512.Load(ps + j).Store(pd + j);
                    Vector512.Load(ps + j + 16).Store(pd + j + 16);
                    Vector512.Load(ps + j + 32).Store(pd + j + 32);
                    Vector512.Load(ps + j + 48).Store(pd + j + 48);
                }
            }
            for (; j < hi; j++)
            {
                pd[j] = ps[j];
            }
        }
    });
}
