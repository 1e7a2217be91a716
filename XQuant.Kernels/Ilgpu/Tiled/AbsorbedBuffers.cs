using ILGPU;
using ILGPU.Runtime;
using XQuant.Kernels.Attention;
using XQuant.Kernels.Quantization;

namespace XQuant.Kernels.Ilgpu.Tiled;

/// <summary>
/// Device buffers of one V-absorbed attention: the quantized X, Wk (d x KvDim), Wv (d x KvDim), the rotated query,
/// the rope table, and the scratch the kernels pass between them (K, p, Y, split-K partials) plus the output.
/// </summary>
public sealed class AbsorbedBuffers : IDisposable
{
    private readonly List<IDisposable> owned = [];

    private AbsorbedBuffers(DeviceQuantized x)
    {
        Quantized = x;
        owned.Add(x);
    }

    public DeviceQuantized Quantized { get; }

    public ArrayView<byte> Packed => Quantized.Packed.View;

    public ArrayView<ushort> Scales => Quantized.Scales.View;

    public ArrayView<ushort> Zeros => Quantized.Zeros.View;

    public ArrayView<float> Wk { get; private set; }

    public ArrayView<float> Wv { get; private set; }

    public ArrayView<float> Query { get; private set; }

    public ArrayView<float> Cos { get; private set; }

    public ArrayView<float> Sin { get; private set; }

    public ArrayView<float> Keys { get; private set; }

    public ArrayView<float> Weights { get; private set; }

    public ArrayView<float> WeightedX { get; private set; }

    public ArrayView<float> GemmScratch { get; private set; }

    public ArrayView<float> OutputPartials { get; private set; }

    public ArrayView<float> Output { get; private set; }

    /// <summary>Buffers for <paramref name="xq"/> (uploaded); the caller copies q, Wk, Wv and the rope table in.</summary>
    public static AbsorbedBuffers Allocate(TiledRunner runner, QuantizedMatrix xq, AttentionShape shape)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(xq);
        return Allocate(runner, DeviceQuantized.Upload(runner.Accelerator, xq), xq.Rows, xq.Width, xq.Spec, shape);
    }

    /// <summary>Buffers for a tokens x width X quantized under spec, all on the device (filled by kernels).</summary>
    public static AbsorbedBuffers Allocate(TiledRunner runner, int tokens, int width, QuantSpec spec, AttentionShape shape)
    {
        ArgumentNullException.ThrowIfNull(runner);
        return Allocate(runner, DeviceQuantized.Allocate(runner.Accelerator, tokens, width, spec), tokens, width, spec, shape);
    }

    private static AbsorbedBuffers Allocate(TiledRunner runner, DeviceQuantized x, int tokens, int width, QuantSpec spec, AttentionShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var b = new AbsorbedBuffers(x);
        try
        {
            var l = new QuantLayout(tokens, width, spec);
            var a = TiledRunner.Dims(tokens, shape);
            long scratch = Math.Max(TiledRunner.SplitScratch(runner.KDims(l, a)), TiledRunner.SplitScratch(runner.YDims(l, shape.Heads)));
            int half = shape.HeadDim / 2;
            b.Wk = b.Floats(runner.Accelerator, (long)width * shape.KvDim);
            b.Wv = b.Floats(runner.Accelerator, (long)width * shape.KvDim);
            b.Query = b.Floats(runner.Accelerator, shape.QueryDim);
            b.Cos = b.Floats(runner.Accelerator, (long)(tokens + 1) * half);
            b.Sin = b.Floats(runner.Accelerator, (long)(tokens + 1) * half);
            b.Keys = b.Floats(runner.Accelerator, (long)tokens * shape.KvDim);
            b.Weights = b.Floats(runner.Accelerator, (long)shape.Heads * tokens);
            b.WeightedX = b.Floats(runner.Accelerator, (long)shape.Heads * width);
            b.GemmScratch = b.Floats(runner.Accelerator, scratch);
            b.OutputPartials = b.Floats(runner.Accelerator, (long)TiledRunner.OutputChunks(width) * shape.QueryDim);
            b.Output = b.Floats(runner.Accelerator, shape.QueryDim);
            return b;
        }
        catch
        {
            b.Dispose();
            throw;
        }
    }

    /// <summary>Device bytes these buffers hold.</summary>
    public long DeviceBytes => owned.OfType<MemoryBuffer>().Sum(m => m.LengthInBytes) + Quantized.Packed.LengthInBytes + Quantized.Scales.LengthInBytes + Quantized.Zeros.LengthInBytes;

    private ArrayView<float> Floats(Accelerator accelerator, long count)
    {
        var m = accelerator.Allocate1D<float>(Math.Max(1L, count));
        owned.Add(m);
        return m.View;
    }

    public void Dispose()
    {
        foreach (var d in owned)
        {
            d.Dispose();
        }
        owned.Clear();
    }
}
