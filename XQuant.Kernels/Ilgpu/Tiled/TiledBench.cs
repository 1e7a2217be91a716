using ILGPU;
using ILGPU.Runtime;
using XQuant.Kernels.Attention;
using XQuant.Kernels.Quantization;
using XQuant.Kernels.Suite;

namespace XQuant.Kernels.Ilgpu.Tiled;

/// <summary>
/// Times the <see cref="TiledKernels"/> at one shape on the device of a <see cref="DeviceBench"/>, with every input
/// made on the device (the bench's fill kernel, then the quantize kernel), so nothing crosses the host link inside or
/// between timed runs. Beside them it times the bench's read-only pass over the same X, a measured bandwidth of the
/// same run. What each figure is a fraction of (DRAM or FP32 peak) is for the caller to say; this class only counts
/// bytes and flops. On ILGPU's CPU accelerator the times are of an emulator, not of any device.
/// </summary>
public sealed class TiledBench
{
    private readonly DeviceBench bench;

    /// <summary>Uses (does not own) the bench's accelerator.</summary>
    public TiledBench(DeviceBench bench)
    {
        ArgumentNullException.ThrowIfNull(bench);
        this.bench = bench;
        Runner = new TiledRunner(bench.Accelerator);
    }

    public TiledRunner Runner { get; }

    /// <summary>
    /// The read-only pass over X (first row: the measured bandwidth the others are compared with), an empty kernel
    /// (launch + synchronize), quantize X (4-bit per-token), quantize K (2-bit per-channel), remat
    /// [K|V] = deQ(X) [Wk|Wv] and V-absorbed attention, each timed <paramref name="repeats"/> times after two warm-up runs.
    /// </summary>
    public IReadOnlyList<TiledMeasurement> Run(KernelShape shape, int repeats)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int t = shape.Tokens, d = shape.HiddenSize, dkv = shape.KvDim, g = shape.GroupSize;
        var acc = bench.Accelerator;
        var results = new List<TiledMeasurement>();
        var xSpec = new QuantSpec(4, Math.Min(g, d), QuantAxis.PerToken);
        var kSpec = new QuantSpec(2, g, QuantAxis.PerChannel);
        var attention = new AttentionShape(shape.Heads, shape.KvHeads, shape.HeadDim).Validated();
        var xl = new QuantLayout(t, d, xSpec);

        using var x = acc.Allocate1D<float>((long)t * d);
        using var kIn = acc.Allocate1D<float>((long)t * dkv);
        using var wkv = acc.Allocate1D<float>((long)d * 2 * dkv);
        using var kv = acc.Allocate1D<float>((long)t * 2 * dkv);
        using var partials = acc.Allocate1D<float>(bench.StreamThreads);
        using var xq = DeviceQuantized.Allocate(acc, t, d, xSpec);
        using var kq = DeviceQuantized.Allocate(acc, t, dkv, kSpec);
        bench.LaunchFill(x.View, 101);
        bench.LaunchFill(kIn.View, 102);
        bench.LaunchFill(wkv.View, 103);
        acc.Synchronize();

        results.Add(Measure("read-only pass over X (stream read)", 4.0 * t * d, 0, repeats, () => bench.LaunchRead(x.View, partials.View), "the device's measured read bandwidth, same run"));
        results.Add(Measure("empty kernel (launch + synchronize)", 0, 0, repeats, bench.LaunchEmpty, "in every time below once per launch"));
        results.Add(Measure($"quantize X {xSpec}", QuantizeBytes(t, d, xSpec), 0, repeats,
            () => Runner.LaunchQuantize(x.View, xl, xSpec, xq.Scales.View, xq.Zeros.View, xq.Packed.View), Path(xSpec)));
        var kl = new QuantLayout(t, dkv, kSpec);
        results.Add(Measure($"quantize K {kSpec}", QuantizeBytes(t, dkv, kSpec), 0, repeats,
            () => Runner.LaunchQuantize(kIn.View, kl, kSpec, kq.Scales.View, kq.Zeros.View, kq.Packed.View), Path(kSpec)));

        var rematDims = new TiledGemmDims(t, d, 2 * dkv, quantizedA: true, Runner.Splits(t, 2 * dkv, d));
        using var rematScratch = acc.Allocate1D<float>(Math.Max(1L, TiledRunner.SplitScratch(rematDims)));
        double rematBytes = QuantizedBytes(t, d, xSpec) + (4.0 * d * 2 * dkv) + (4.0 * t * 2 * dkv);
        results.Add(Measure("remat [K|V] = deQ(X) [Wk|Wv]", rematBytes, 2.0 * t * d * 2 * dkv, repeats,
            () => Runner.LaunchGemm(wkv.View, xq.Packed.View, xq.Scales.View, xq.Zeros.View, xl, rematDims, kv.View, rematScratch.View),
            $"64x64 tiles, 4x4 per thread, splits {rematDims.Splits}"));

        using var absorbed = AbsorbedBuffers.Allocate(Runner, t, d, xSpec, attention);
        var rope = new RopeTable(t + 1, shape.HeadDim);
        bench.LaunchFill(absorbed.Wk, 104);
        bench.LaunchFill(absorbed.Wv, 105);
        bench.LaunchFill(absorbed.Query, 106);
        absorbed.Cos.SubView(0, rope.Cos.Length).CopyFromCPU(rope.Cos);
        absorbed.Sin.SubView(0, rope.Sin.Length).CopyFromCPU(rope.Sin);
        Runner.LaunchQuantize(x.View, xl, xSpec, absorbed.Scales, absorbed.Zeros, absorbed.Packed);
        acc.Synchronize();
        var dims = TiledRunner.Dims(t, attention);
        int heads = attention.Heads;
        double absorbedBytes = QuantizedBytes(t, d, xSpec) + (2 * 4.0 * d * dkv) + (2 * 4.0 * attention.QueryDim);
        double absorbedFlops = (2.0 * t * d * dkv) + (2.0 * heads * t * shape.HeadDim) + (2.0 * heads * t * d) + (2.0 * heads * d * shape.HeadDim);
        results.Add(Measure("attention, XQuant V-absorbed", absorbedBytes, absorbedFlops, repeats,
            () => Runner.LaunchVAbsorbed(absorbed, xl, dims, heads),
            $"K remat, scores, softmax, p X^, output (+ split sums); K splits {Runner.KDims(xl, dims).Splits}, p X^ splits {Runner.YDims(xl, heads).Splits}"));
        return results;
    }

    /// <summary>Least traffic of a quantizer: the float input read once, codes and FP16 scale/zero pairs written once.</summary>
    public static double QuantizeBytes(int rows, int width, QuantSpec spec) => (4.0 * rows * width) + QuantizedBytes(rows, width, spec);

    /// <summary>Bytes of a stored quantized matrix: packed codes plus 4 bytes (FP16 scale and zero) per group.</summary>
    public static double QuantizedBytes(int rows, int width, QuantSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return ((double)rows * QuantSpec.RowBytes(width, spec.Bits)) + (4.0 * spec.GroupCount(rows, width));
    }

    private static string Path(QuantSpec spec) => TiledRunner.OnePass(spec)
        ? spec.Axis == QuantAxis.PerToken ? "one pass: 8-lane teams, 16-byte loads" : "one pass: 128x64 tiles staged in shared memory"
        : "two passes: stats, then pack";

    private TiledMeasurement Measure(string kernel, double bytes, double flops, int repeats, Action launch, string note)
    {
        var times = bench.Time(() =>
        {
            launch();
            bench.Accelerator.Synchronize();
        }, repeats).ToArray();
        Array.Sort(times);
        return new TiledMeasurement(kernel, bytes, flops, times[times.Length / 2], times.Length, note);
    }
}
