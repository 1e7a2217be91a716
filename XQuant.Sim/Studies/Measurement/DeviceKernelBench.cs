using XQuant.Kernels.Attention;
using XQuant.Kernels.Fast;
using XQuant.Kernels.Ilgpu;
using XQuant.Kernels.Quantization;

namespace XQuant.Sim.Studies.Measurement;

/// <summary>A <see cref="KernelCase"/> whose run launches ILGPU kernels on device-resident buffers; dispose it after timing.</summary>
public sealed record DeviceKernelCase(KernelCase Case, DeviceCase Device) : IDisposable
{
    public void Dispose() => Device.Dispose();
}

/// <summary>
/// The ILGPU versions of <see cref="KernelBench"/>'s cases: the same shapes, seeds and ledgers (built by the same
/// KernelBench.XxxCase methods); the run launches the <see cref="IlgpuKernels"/> kernel on inputs already on the
/// device and waits for it. Only cases with an ILGPU kernel exist here: quantize (stats, then pack: two
/// launches), dequantize, fused remat and decode attention over fp32 K/V.
/// </summary>
public static class DeviceKernelBench
{
    public static DeviceKernelCase Quantize(DeviceBench bench, int tokens, int width, int bits, QuantAxis axis, int g = 128)
    {
        ArgumentNullException.ThrowIfNull(bench);
        var spec = new QuantSpec(bits, g, axis).Validated();
        var x = KernelBench.Random((long)tokens * width, 1);
        var d = bench.QuantizeCase(x, tokens, width, spec);
        return new(KernelBench.QuantizeCase(tokens, width, spec, d.Run, dispatches: 2), d);
    }

    public static DeviceKernelCase Dequantize(DeviceBench bench, int tokens, int width, int bits, int g = 128)
    {
        ArgumentNullException.ThrowIfNull(bench);
        var spec = new QuantSpec(bits, g, QuantAxis.PerToken).Validated();
        var q = FastCpu.Quantize(KernelBench.Random((long)tokens * width, 2), tokens, width, spec);
        var d = bench.DequantizeCase(q);
        return new(KernelBench.DequantizeCase(tokens, width, spec, d.Run), d);
    }

    public static DeviceKernelCase Remat(DeviceBench bench, int tokens, int d, int n, int bits, int g = 128)
    {
        ArgumentNullException.ThrowIfNull(bench);
        var spec = new QuantSpec(bits, g, QuantAxis.PerToken).Validated();
        var q = FastCpu.Quantize(KernelBench.Random((long)tokens * d, 3), tokens, d, spec);
        var w = KernelBench.Random((long)d * n, 4);
        var dc = bench.RematCase(q, w, n);
        return new(KernelBench.RematCase(tokens, d, n, spec, dc.Run), dc);
    }

    public static DeviceKernelCase AttentionFloat(DeviceBench bench, int tokens, int heads, int kvHeads, int headDim)
    {
        ArgumentNullException.ThrowIfNull(bench);
        var s = new AttentionShape(heads, kvHeads, headDim).Validated();
        var q = KernelBench.Random(s.QueryDim, 6);
        var k = KernelBench.Random((long)tokens * s.KvDim, 7);
        var v = KernelBench.Random((long)tokens * s.KvDim, 8);
        var d = bench.AttentionCase(q, k, v, tokens, s, new RopeTable(tokens, headDim));
        return new(KernelBench.AttentionFloatCase(tokens, s, d.Run), d);
    }
}
