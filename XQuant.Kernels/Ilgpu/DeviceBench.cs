using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using XQuant.Kernels.Attention;
using XQuant.Kernels.Metrics;
using XQuant.Kernels.Quantization;
using XQuant.Kernels.Reference;

namespace XQuant.Kernels.Ilgpu;

/// <summary>
/// Times ILGPU kernels on one device for calibration and validation. Owns a <see cref="KernelRunner"/> (its
/// context, accelerator and the <see cref="IlgpuKernels"/> kernels) and loads the <see cref="BenchKernels"/> once.
/// Every timed case holds device-resident buffers allocated once per case; a timed run is launch +
/// Accelerator.Synchronize(), with no host copy inside the timed region. On a GPU the L2 cache is evicted before
/// each run (a fill of 4x its size), so inputs come from DRAM, as in a decode step.
/// </summary>
public sealed class DeviceBench : IDisposable
{
    private readonly Action<Index1D, ArrayView<float>, int, int, ArrayView<float>> readSum;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> copy;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, int, int> triad;
    private readonly Action<Index1D, ArrayView<float>, int, int, int> fill;
    private readonly Action<Index1D, int> empty;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> gemm;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? evictBuffer;
    private int evictSeed;

    /// <summary>Takes ownership of <paramref name="runner"/> (disposed with this bench).</summary>
    public DeviceBench(KernelRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        Runner = runner;
        var acc = runner.Accelerator;
        readSum = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, int, int, ArrayView<float>>(BenchKernels.ReadSum);
        copy = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(BenchKernels.Copy);
        triad = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, int, int>(BenchKernels.Triad);
        fill = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, int, int, int>(BenchKernels.Fill);
        empty = acc.LoadAutoGroupedStreamKernel<Index1D, int>(BenchKernels.Empty);
        gemm = acc.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>(BenchKernels.GemmTiled);
        // One resident thread per hardware thread slot: enough warps in flight to saturate DRAM.
        StreamThreads = Math.Max(1, acc.NumMultiprocessors * acc.MaxNumThreadsPerMultiprocessor);
        int side = 16;
        while (side > 1 && side * side > acc.MaxNumThreadsPerGroup)
        {
            side /= 2;
        }
        GemmGroupSide = side;
        if (!IsEmulator)
        {
            long l2 = acc is CudaAccelerator cuda ? cuda.L2CacheSize : 0;
            long floats = Math.Max(4 * l2, 64L << 20) / 4;
            evictBuffer = acc.Allocate1D<float>(floats);
        }
    }

    /// <summary>Opens an ILGPU device (see <see cref="KernelRunner.Create"/>: throws with one clear line when it is absent).</summary>
    public static DeviceBench Create(DeviceChoice choice)
    {
        var runner = KernelRunner.Create(choice);
        try
        {
            return new DeviceBench(runner);
        }
        catch
        {
            runner.Dispose();
            throw;
        }
    }

    public KernelRunner Runner { get; }

    public Accelerator Accelerator => Runner.Accelerator;

    /// <summary>ILGPU's CPU accelerator: an emulator for correctness; its times are not measurements of any device.</summary>
    public bool IsEmulator => Accelerator.AcceleratorType == AcceleratorType.CPU;

    /// <summary>Threads of the grid-stride stream kernels (multiprocessors x resident threads per multiprocessor).</summary>
    public int StreamThreads { get; }

    /// <summary>Threads per side of a GEMM group: 16 where the device allows 256 per group, less on the emulator.</summary>
    public int GemmGroupSide { get; }

    /// <summary>Bytes written to evict the L2 cache before each timed run (0 on the emulator, which has none of its own).</summary>
    public long EvictBytes => (evictBuffer?.Length ?? 0) * 4;

    /// <summary>The ILGPU package version (from its assembly).</summary>
    public static string IlgpuVersion
    {
        get
        {
            var asm = typeof(Context).Assembly;
            string? v = asm.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? asm.GetName().Version?.ToString();
            return v is null ? "unknown" : v.Split('+')[0];
        }
    }

    /// <summary>What the device is, for provenance: the CUDA driver, architecture and sizes where ILGPU exposes them.</summary>
    public string Details
    {
        get
        {
            var acc = Accelerator;
            var inv = CultureInfo.InvariantCulture;
            if (acc is CudaAccelerator cuda)
            {
                return string.Create(inv, $"{acc.Name}; CUDA driver {cuda.DriverVersion}; architecture {cuda.Architecture}; PTX ISA {cuda.InstructionSet}; {acc.NumMultiprocessors} SMs x {acc.MaxNumThreadsPerMultiprocessor} threads; L2 {cuda.L2CacheSize >> 20} MiB; memory {acc.MemorySize >> 20} MiB, {cuda.MemoryBusWidth}-bit at {cuda.MemoryClockRate} kHz; SM clock {cuda.ClockRate} kHz");
            }
            return string.Create(inv, $"{acc.Name}; {acc.AcceleratorType}; {acc.NumMultiprocessors} multiprocessor(s) x {acc.MaxNumThreadsPerMultiprocessor} threads, {acc.MaxNumThreadsPerGroup} per group{(IsEmulator ? "; ILGPU's CPU emulator" : "")}");
        }
    }

    // --- Launches on device views: no copies, no synchronization. ---

    /// <summary>Partial sums of x into partials (at least <see cref="StreamThreads"/> long).</summary>
    public void LaunchRead(ArrayView<float> x, ArrayView<float> partials)
    {
        if (partials.Length < StreamThreads)
        {
            throw new ArgumentException($"partials holds {partials.Length} floats; the read kernel writes {StreamThreads}", nameof(partials));
        }
        readSum(StreamThreads, x, StreamLength(x), StreamThreads, partials);
    }

    public void LaunchCopy(ArrayView<float> src, ArrayView<float> dst) => copy(StreamThreads, src, dst, StreamLength(src, dst), StreamThreads);

    /// <summary>a = b + s c.</summary>
    public void LaunchTriad(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, float s) => triad(StreamThreads, a, b, c, s, StreamLength(a, b, c), StreamThreads);

    public void LaunchFill(ArrayView<float> x, int seed) => fill(StreamThreads, x, StreamLength(x), StreamThreads, seed);

    public void LaunchEmpty() => empty(1, 0);

    /// <summary>C (m x n) = A (m x k) B (k x n), row-major, through the shared-memory tiled kernel.</summary>
    public void LaunchGemm(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, int m, int k, int n)
    {
        if (a.Length < (long)m * k || b.Length < (long)k * n || c.Length < (long)m * n || (long)Math.Max(m, 1) * Math.Max(Math.Max(k, n), 1) > int.MaxValue)
        {
            throw new ArgumentException($"GEMM {m}x{k}x{n}: views too short ({a.Length}, {b.Length}, {c.Length}) or indices beyond int");
        }
        int block = BenchKernels.GemmPerThread * GemmGroupSide;
        var grid = new Index2D(Math.Max(1, (n + block - 1) / block), Math.Max(1, (m + block - 1) / block));
        gemm(new KernelConfig(grid, new Index2D(GemmGroupSide, GemmGroupSide)), a, b, c, m, k, n);
    }

    // Grid-stride indices stay below n + 4 x stride: keep n at most half of int's range.
    private static int StreamLength(params ArrayView<float>[] views)
    {
        long n = views[0].Length;
        if (n > int.MaxValue / 2 || views.Any(v => v.Length != n))
        {
            throw new ArgumentException($"stream views must have equal lengths of at most {int.MaxValue / 2} floats (got {string.Join(", ", views.Select(v => v.Length))})");
        }
        return (int)n;
    }

    // --- Host-array forms (copy in, launch, synchronize, copy out): for tests and the self-check. ---

    public float[] ReadPartials(float[] x)
    {
        using var dx = Accelerator.Allocate1D(x);
        using var dp = Accelerator.Allocate1D<float>(StreamThreads);
        LaunchRead(dx.View, dp.View);
        Accelerator.Synchronize();
        return dp.GetAsArray1D();
    }

    public float[] Copy(float[] src)
    {
        using var ds = Accelerator.Allocate1D(src);
        using var dd = Accelerator.Allocate1D<float>(src.Length);
        LaunchCopy(ds.View, dd.View);
        Accelerator.Synchronize();
        return dd.GetAsArray1D();
    }

    public float[] Triad(float[] b, float[] c, float s)
    {
        using var db = Accelerator.Allocate1D(b);
        using var dc = Accelerator.Allocate1D(c);
        using var da = Accelerator.Allocate1D<float>(b.Length);
        LaunchTriad(da.View, db.View, dc.View, s);
        Accelerator.Synchronize();
        return da.GetAsArray1D();
    }

    public float[] Fill(int n, int seed)
    {
        using var dx = Accelerator.Allocate1D<float>(n);
        LaunchFill(dx.View, seed);
        Accelerator.Synchronize();
        return dx.GetAsArray1D();
    }

    public float[] Gemm(float[] a, float[] b, int m, int k, int n)
    {
        using var da = Accelerator.Allocate1D(a);
        using var db = Accelerator.Allocate1D(b);
        using var dc = Accelerator.Allocate1D<float>(Math.Max(1L, (long)m * n));
        LaunchGemm(da.View, db.View, dc.View, m, k, n);
        Accelerator.Synchronize();
        return dc.View.SubView(0, (long)m * n).GetAsArray1D();
    }

    /// <summary>
    /// Runs the stream, fill and GEMM kernels at small odd sizes (tails and partial tiles included) against their
    /// scalar twins; returns one line per disagreement, none when all agree. Calibration runs it first, so a
    /// kernel that compiles wrongly on a new device cannot turn into a plausible-looking rate.
    /// </summary>
    public IReadOnlyList<string> SelfCheck()
    {
        var problems = new List<string>();
        int n = (4 * StreamThreads) + (StreamThreads / 2) + 37;
        var x = Fill(n, 11);
        var y = Fill(n, 12);
        for (int i = 0; i < n; i++)
        {
            if (x[i] != BenchKernels.FillValue(i, 11))
            {
                problems.Add($"fill: element {i} is {x[i]}, expected {BenchKernels.FillValue(i, 11)}");
                break;
            }
        }
        // Adds only (nothing to contract into an FMA): the partials must match the twin closely on any device.
        Check("read", ScalarReference.ReadSumPartials(x, StreamThreads), ReadPartials(x), 1e-6, problems);
        Check("copy", x, Copy(x), 0, problems);
        var triadExpected = new float[n];
        for (int i = 0; i < n; i++)
        {
            triadExpected[i] = x[i] + (0.5f * y[i]);
        }
        Check("triad", triadExpected, Triad(x, y, 0.5f), 1e-6, problems);
        foreach (var (m, k, nn) in new[] { (67, 45, 83), (2 * BenchKernels.GemmMaxBlock, 3 * BenchKernels.GemmTileK, BenchKernels.GemmMaxBlock) })
        {
            var a = Fill(m * k, 13);
            var b = Fill(k * nn, 14);
            Check($"gemm {m}x{k}x{nn}", ScalarReference.Gemm(a, b, m, k, nn), Gemm(a, b, m, k, nn), 1e-5, problems);
        }
        return problems;
    }

    private static void Check(string what, float[] expected, float[] actual, double tolerance, List<string> problems)
    {
        if (expected.Length != actual.Length)
        {
            problems.Add($"{what}: {actual.Length} values, expected {expected.Length}");
            return;
        }
        double err = ErrorMetrics.RelativeFrobenius(expected, actual);
        if (!(err <= tolerance))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{what}: relative error {err:G3} vs the scalar twin (tolerance {tolerance:G3})"));
        }
    }

    // --- Timing. ---

    /// <summary>
    /// Warm-up runs, then <paramref name="reps"/> timed runs of <paramref name="run"/> (seconds each), which must
    /// launch and synchronize. With <paramref name="evict"/>, the L2 cache is evicted (and the device idle) before
    /// each run, outside the timed region.
    /// </summary>
    public IReadOnlyList<double> Time(Action run, int reps, int warmups = 2, bool evict = true)
    {
        ArgumentNullException.ThrowIfNull(run);
        for (int i = 0; i < warmups; i++)
        {
            BeforeRun(evict);
            run();
        }
        var times = new List<double>(reps);
        for (int i = 0; i < reps; i++)
        {
            BeforeRun(evict);
            long t0 = Stopwatch.GetTimestamp();
            run();
            times.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
        }
        return times;
    }

    /// <summary>Evicts the L2 cache (a fill of 4x its size, at least 64 MB) and waits for the device; nothing on the emulator.</summary>
    public void EvictCaches() => BeforeRun(evict: true);

    private void BeforeRun(bool evict)
    {
        if (evict && evictBuffer is not null)
        {
            LaunchFill(evictBuffer.View, ++evictSeed);
        }
        Accelerator.Synchronize();
    }

    // --- Timed cases on device-resident buffers (inputs made on the device or copied once, outside the timing). ---

    /// <summary>Read of <paramref name="floats"/> floats (4 bytes each per run).</summary>
    public DeviceCase ReadCase(int floats)
    {
        var x = Accelerator.Allocate1D<float>(floats);
        var p = Accelerator.Allocate1D<float>(StreamThreads);
        LaunchFill(x.View, 1);
        Accelerator.Synchronize();
        return new DeviceCase(Synchronized(() => LaunchRead(x.View, p.View)), x, p);
    }

    /// <summary>Copy of <paramref name="floats"/> floats (8 bytes each per run: read + write).</summary>
    public DeviceCase CopyCase(int floats)
    {
        var src = Accelerator.Allocate1D<float>(floats);
        var dst = Accelerator.Allocate1D<float>(floats);
        LaunchFill(src.View, 2);
        LaunchFill(dst.View, 3);
        Accelerator.Synchronize();
        return new DeviceCase(Synchronized(() => LaunchCopy(src.View, dst.View)), src, dst);
    }

    /// <summary>Triad over <paramref name="floats"/> floats (12 bytes each per run: two reads, one write).</summary>
    public DeviceCase TriadCase(int floats)
    {
        var a = Accelerator.Allocate1D<float>(floats);
        var b = Accelerator.Allocate1D<float>(floats);
        var c = Accelerator.Allocate1D<float>(floats);
        LaunchFill(a.View, 4);
        LaunchFill(b.View, 5);
        LaunchFill(c.View, 6);
        Accelerator.Synchronize();
        return new DeviceCase(Synchronized(() => LaunchTriad(a.View, b.View, c.View, 0.5f)), a, b, c);
    }

    /// <summary>One empty kernel of one thread: launch + synchronize is the launch latency.</summary>
    public DeviceCase EmptyCase() => new(Synchronized(LaunchEmpty));

    public DeviceCase GemmCase(int m, int k, int n)
    {
        var a = Accelerator.Allocate1D<float>((long)m * k);
        var b = Accelerator.Allocate1D<float>((long)k * n);
        var c = Accelerator.Allocate1D<float>((long)m * n);
        LaunchFill(a.View, 7);
        LaunchFill(b.View, 8);
        Accelerator.Synchronize();
        return new DeviceCase(Synchronized(() => LaunchGemm(a.View, b.View, c.View, m, k, n)), a, b, c);
    }

    /// <summary>Quantization of x (rows x width): the stats kernel, then the pack kernel (two launches).</summary>
    public DeviceCase QuantizeCase(float[] x, int rows, int width, QuantSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        InputCheck.Finite(x, rows, width);
        var l = new QuantLayout(rows, width, spec);
        int groups = spec.GroupCount(rows, width);
        var dx = Accelerator.Allocate1D(x);
        var ds = Accelerator.Allocate1D<ushort>(Math.Max(1, groups));
        var dz = Accelerator.Allocate1D<ushort>(Math.Max(1, groups));
        var dp = Accelerator.Allocate1D<byte>(Math.Max(1L, (long)rows * l.RowBytes));
        return new DeviceCase(Synchronized(() => Runner.LaunchQuantize(dx.View, l, spec.Axis, groups, ds.View, dz.View, dp.View)), dx, ds, dz, dp);
    }

    public DeviceCase DequantizeCase(QuantizedMatrix q)
    {
        ArgumentNullException.ThrowIfNull(q);
        var (dp, ds, dz) = Upload(q);
        var dy = Accelerator.Allocate1D<float>(Math.Max(1L, (long)q.Rows * q.Width));
        var l = new QuantLayout(q.Rows, q.Width, q.Spec);
        return new DeviceCase(Synchronized(() => Runner.LaunchDequantize(dp.View, ds.View, dz.View, l, dy.View)), dp, ds, dz, dy);
    }

    /// <summary>Fused remat deQ(Xq) W, W width x n row-major.</summary>
    public DeviceCase RematCase(QuantizedMatrix xq, float[] w, int n, int colsPerThread = 32)
    {
        ArgumentNullException.ThrowIfNull(xq);
        var (dp, ds, dz) = Upload(xq);
        var dw = Accelerator.Allocate1D(w);
        var dy = Accelerator.Allocate1D<float>(Math.Max(1L, (long)xq.Rows * n));
        var l = new QuantLayout(xq.Rows, xq.Width, xq.Spec);
        return new DeviceCase(Synchronized(() => Runner.LaunchRemat(dp.View, ds.View, dz.View, l, dw.View, n, colsPerThread, dy.View)), dp, ds, dz, dw, dy);
    }

    /// <summary>Decode attention over float K/V (pre-RoPE keys), one thread per query head.</summary>
    public DeviceCase AttentionCase(float[] q, float[] k, float[] v, int tokens, AttentionShape shape, RopeTable rope)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(rope);
        var dq = Accelerator.Allocate1D(q);
        var dk = Accelerator.Allocate1D(k);
        var dv = Accelerator.Allocate1D(v);
        var dcos = Accelerator.Allocate1D(rope.Cos);
        var dsin = Accelerator.Allocate1D(rope.Sin);
        var dscores = Accelerator.Allocate1D<float>((long)shape.Heads * Math.Max(1, tokens));
        var dout = Accelerator.Allocate1D<float>(shape.QueryDim);
        var dims = new AttentionDims(tokens, shape.QueryHeadsPerKvHead, shape.HeadDim, shape.KvDim, shape.ScoreScale);
        return new DeviceCase(Synchronized(() => Runner.LaunchAttention(shape.Heads, dq.View, dk.View, dv.View, dims, dcos.View, dsin.View, dscores.View, dout.View)), dq, dk, dv, dcos, dsin, dscores, dout);
    }

    private Action Synchronized(Action launch) => () =>
    {
        launch();
        Accelerator.Synchronize();
    };

    private (MemoryBuffer1D<byte, Stride1D.Dense> Packed, MemoryBuffer1D<ushort, Stride1D.Dense> Scales, MemoryBuffer1D<ushort, Stride1D.Dense> Zeros) Upload(QuantizedMatrix q) => (
        Accelerator.Allocate1D(q.Packed.Length == 0 ? new byte[1] : q.Packed),
        Accelerator.Allocate1D(q.Scales.Length == 0 ? new ushort[1] : QuantizedMatrix.Bits(q.Scales).ToArray()),
        Accelerator.Allocate1D(q.Zeros.Length == 0 ? new ushort[1] : QuantizedMatrix.Bits(q.Zeros).ToArray()));

    public void Dispose()
    {
        evictBuffer?.Dispose();
        Runner.Dispose();
    }
}
