using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using XQuant.Kernels.Attention;
using XQuant.Kernels.Quantization;

namespace XQuant.Kernels.Ilgpu;

/// <summary>
/// Owns one ILGPU context and accelerator, loads every kernel once in its constructor, and runs them on host
/// arrays (copy in, launch, copy out). Disposes the accelerator before the context, as ILGPU requires.
/// </summary>
public sealed class KernelRunner : IDisposable
{
    private readonly Context context;
    private readonly Action<Index1D, ArrayView<float>, QuantLayout, ArrayView<ushort>, ArrayView<ushort>> statsPerToken;
    private readonly Action<Index1D, ArrayView<float>, QuantLayout, ArrayView<ushort>, ArrayView<ushort>> statsPerChannel;
    private readonly Action<Index1D, ArrayView<float>, QuantLayout, ArrayView<ushort>, ArrayView<ushort>, ArrayView<byte>> packRows;
    private readonly Action<Index1D, ArrayView<byte>, ArrayView<ushort>, ArrayView<ushort>, QuantLayout, ArrayView<float>> dequantRows;
    private readonly Action<Index2D, ArrayView<byte>, ArrayView<ushort>, ArrayView<ushort>, QuantLayout, ArrayView<float>, int, int, ArrayView<float>> remat;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, AttentionDims, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> attention;

    private KernelRunner(Context context, Accelerator accelerator)
    {
        this.context = context;
        Accelerator = accelerator;
        statsPerToken = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, QuantLayout, ArrayView<ushort>, ArrayView<ushort>>(IlgpuKernels.StatsPerToken);
        statsPerChannel = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, QuantLayout, ArrayView<ushort>, ArrayView<ushort>>(IlgpuKernels.StatsPerChannel);
        packRows = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, QuantLayout, ArrayView<ushort>, ArrayView<ushort>, ArrayView<byte>>(IlgpuKernels.PackRows);
        dequantRows = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<byte>, ArrayView<ushort>, ArrayView<ushort>, QuantLayout, ArrayView<float>>(IlgpuKernels.DequantRows);
        remat = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<byte>, ArrayView<ushort>, ArrayView<ushort>, QuantLayout, ArrayView<float>, int, int, ArrayView<float>>(IlgpuKernels.Remat);
        attention = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, AttentionDims, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(IlgpuKernels.Attention);
    }

    public Accelerator Accelerator { get; }

    /// <summary>
    /// ILGPU's O2: it infers address spaces, so kernel loads become ld.global / ld.shared (with vector forms for the
    /// tiled kernels' 16-byte loads) instead of generic ld; at the default O1 every load in the PTX is generic.
    /// </summary>
    public const OptimizationLevel Optimization = OptimizationLevel.O2;

    /// <summary>"{AcceleratorType}: {Name}", the string reports carry.</summary>
    public string Description => $"{Accelerator.AcceleratorType}: {Accelerator.Name}";

    public long MemoryBytes => Accelerator.MemorySize;

    /// <summary>
    /// Opens the requested ILGPU device. Throws <see cref="InvalidOperationException"/> with one clear line when it
    /// does not exist (e.g. --device cuda on a machine without an NVIDIA GPU or driver).
    /// </summary>
    public static KernelRunner Create(DeviceChoice choice)
    {
        var type = choice switch
        {
            DeviceChoice.Cuda => AcceleratorType.Cuda,
            DeviceChoice.OpenCL => AcceleratorType.OpenCL,
            DeviceChoice.IlgpuCpu => AcceleratorType.CPU,
            _ => throw new ArgumentException($"{choice} is not an ILGPU device; use Cuda, OpenCL or IlgpuCpu", nameof(choice)),
        };
        var ctx = Context.Create(b =>
        {
            var builder = type switch
            {
                AcceleratorType.Cuda => b.Cuda(),
                AcceleratorType.OpenCL => b.OpenCL(),
                _ => b.CPU(),
            };
            builder.EnableAlgorithms();
            b.Optimize(Optimization);
        });
        try
        {
            var device = ctx.Devices.FirstOrDefault(d => d.AcceleratorType == type)
                ?? throw new InvalidOperationException(type switch
                {
                    AcceleratorType.Cuda => "no CUDA device found (needs an NVIDIA GPU and driver)",
                    AcceleratorType.OpenCL => "no OpenCL device that ILGPU supports was found",
                    _ => "ILGPU's CPU accelerator is unavailable",
                });
            return new KernelRunner(ctx, device.CreateAccelerator(ctx));
        }
        catch
        {
            ctx.Dispose();
            throw;
        }
    }

    /// <summary>
    /// For --device auto: CUDA, then OpenCL; null when neither exists, so the caller runs the fast CPU path.
    /// <paramref name="note"/> says what was tried and chosen.
    /// </summary>
    public static KernelRunner? TryCreateGpu(out string note)
    {
        var tried = new List<string>();
        foreach (var choice in new[] { DeviceChoice.Cuda, DeviceChoice.OpenCL })
        {
            try
            {
                var runner = Create(choice);
                note = $"auto: chose {runner.Description}";
                return runner;
            }
            catch (Exception e) when (e is InvalidOperationException or NotSupportedException or CudaException or CLException or DllNotFoundException or TypeInitializationException)
            {
                tried.Add($"{choice}: {e.Message}");
            }
        }
        note = $"auto: no GPU ({string.Join("; ", tried)}); using the fast CPU path";
        return null;
    }

    public QuantizedMatrix Quantize(float[] x, int rows, int width, QuantSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        InputCheck.Finite(x, rows, width);
        var q = QuantizedMatrix.Allocate(rows, width, spec);
        var l = new QuantLayout(rows, width, spec);
        using var dx = Accelerator.Allocate1D(x);
        using var ds = Accelerator.Allocate1D<ushort>(Math.Max(1, q.Scales.Length));
        using var dz = Accelerator.Allocate1D<ushort>(Math.Max(1, q.Zeros.Length));
        using var dp = Accelerator.Allocate1D<byte>(Math.Max(1, q.Packed.Length));
        if (rows > 0 && width > 0)
        {
            LaunchQuantize(dx.View, l, spec.Axis, q.Scales.Length, ds.View, dz.View, dp.View);
            Accelerator.Synchronize();
        }
        var s = ds.GetAsArray1D();
        var z = dz.GetAsArray1D();
        dp.View.SubView(0, q.Packed.Length).CopyToCPU(q.Packed);
        for (int i = 0; i < q.Scales.Length; i++)
        {
            q.Scales[i] = BitConverter.UInt16BitsToHalf(s[i]);
            q.Zeros[i] = BitConverter.UInt16BitsToHalf(z[i]);
        }
        return q;
    }

    public float[] Dequantize(QuantizedMatrix q)
    {
        ArgumentNullException.ThrowIfNull(q);
        using var buffers = Upload(q);
        using var dy = Accelerator.Allocate1D<float>(Math.Max(1L, (long)q.Rows * q.Width));
        LaunchDequantize(buffers.Packed.View, buffers.Scales.View, buffers.Zeros.View, new QuantLayout(q.Rows, q.Width, q.Spec), dy.View);
        Accelerator.Synchronize();
        var y = new float[(long)q.Rows * q.Width];
        dy.View.SubView(0, y.Length).CopyToCPU(y);
        return y;
    }

    /// <summary>deQ(Xq) W with W width x n; each thread computes <paramref name="colsPerThread"/> outputs of one row.</summary>
    public float[] Remat(QuantizedMatrix xq, float[] w, int n, int colsPerThread = 32)
    {
        ArgumentNullException.ThrowIfNull(xq);
        using var buffers = Upload(xq);
        using var dw = Accelerator.Allocate1D(w);
        using var dy = Accelerator.Allocate1D<float>(Math.Max(1L, (long)xq.Rows * n));
        LaunchRemat(buffers.Packed.View, buffers.Scales.View, buffers.Zeros.View, new QuantLayout(xq.Rows, xq.Width, xq.Spec), dw.View, n, colsPerThread, dy.View);
        Accelerator.Synchronize();
        var y = new float[(long)xq.Rows * n];
        dy.View.SubView(0, y.Length).CopyToCPU(y);
        return y;
    }

    /// <summary>Decode attention over float K/V (pre-RoPE keys), one thread per query head.</summary>
    public float[] DecodeAttention(float[] q, float[] k, float[] v, int tokens, AttentionShape shape, RopeTable rope)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(rope);
        using var dq = Accelerator.Allocate1D(q);
        using var dk = Accelerator.Allocate1D(k);
        using var dv = Accelerator.Allocate1D(v);
        using var dcos = Accelerator.Allocate1D(rope.Cos);
        using var dsin = Accelerator.Allocate1D(rope.Sin);
        using var dscores = Accelerator.Allocate1D<float>((long)shape.Heads * Math.Max(1, tokens));
        using var dout = Accelerator.Allocate1D<float>(shape.QueryDim);
        LaunchAttention(shape.Heads, dq.View, dk.View, dv.View, new AttentionDims(tokens, shape.QueryHeadsPerKvHead, shape.HeadDim, shape.KvDim, shape.ScoreScale), dcos.View, dsin.View, dscores.View, dout.View);
        Accelerator.Synchronize();
        return dout.GetAsArray1D();
    }

    public void Synchronize() => Accelerator.Synchronize();

    // Launches on device-resident views: no copies, no synchronization. The host-array methods above and
    // DeviceBench's timed runs both go through these, so what is timed is what the correctness tests check.

    /// <summary>Quantization stats (one thread per group) then codes and packing (one thread per row).</summary>
    public void LaunchQuantize(ArrayView<float> x, QuantLayout l, QuantAxis axis, int groups, ArrayView<ushort> scales, ArrayView<ushort> zeros, ArrayView<byte> packed)
    {
        if (axis == QuantAxis.PerToken)
        {
            statsPerToken(groups, x, l, scales, zeros);
        }
        else
        {
            statsPerChannel(groups, x, l, scales, zeros);
        }
        packRows(l.Rows, x, l, scales, zeros, packed);
    }

    /// <summary>Dequantizes l.Rows rows into y, one thread per row.</summary>
    public void LaunchDequantize(ArrayView<byte> packed, ArrayView<ushort> scales, ArrayView<ushort> zeros, QuantLayout l, ArrayView<float> y) =>
        dequantRows(l.Rows, packed, scales, zeros, l, y);

    /// <summary>Fused remat deQ(X) W: one thread per (row, block of <paramref name="colsPerThread"/> columns).</summary>
    public void LaunchRemat(ArrayView<byte> packed, ArrayView<ushort> scales, ArrayView<ushort> zeros, QuantLayout l, ArrayView<float> w, int n, int colsPerThread, ArrayView<float> output) =>
        remat(new Index2D(l.Rows, (n + colsPerThread - 1) / colsPerThread), packed, scales, zeros, l, w, n, colsPerThread, output);

    /// <summary>Decode attention, one thread per query head.</summary>
    public void LaunchAttention(int heads, ArrayView<float> q, ArrayView<float> k, ArrayView<float> v, AttentionDims dims, ArrayView<float> cos, ArrayView<float> sin, ArrayView<float> scores, ArrayView<float> output) =>
        attention(heads, q, k, v, dims, cos, sin, scores, output);

    private DeviceMatrix Upload(QuantizedMatrix q) => new(
        Accelerator.Allocate1D(q.Packed.Length == 0 ? new byte[1] : q.Packed),
        Accelerator.Allocate1D(q.Scales.Length == 0 ? new ushort[1] : QuantizedMatrix.Bits(q.Scales).ToArray()),
        Accelerator.Allocate1D(q.Zeros.Length == 0 ? new ushort[1] : QuantizedMatrix.Bits(q.Zeros).ToArray()));

    public void Dispose()
    {
        // Accelerator first: it belongs to the context.
        Accelerator.Dispose();
        context.Dispose();
    }

    private sealed record DeviceMatrix(MemoryBuffer1D<byte, Stride1D.Dense> Packed, MemoryBuffer1D<ushort, Stride1D.Dense> Scales, MemoryBuffer1D<ushort, Stride1D.Dense> Zeros) : IDisposable
    {
        public void Dispose()
        {
            Packed.Dispose();
            Scales.Dispose();
            Zeros.Dispose();
        }
    }
}
