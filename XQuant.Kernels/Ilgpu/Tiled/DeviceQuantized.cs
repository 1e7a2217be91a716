using ILGPU;
using ILGPU.Runtime;
using XQuant.Kernels.Quantization;

namespace XQuant.Kernels.Ilgpu.Tiled;

/// <summary>A quantized matrix in device memory: packed codes and FP16 scale/zero bits (each at least one element long).</summary>
public sealed class DeviceQuantized : IDisposable
{
    private DeviceQuantized(MemoryBuffer1D<byte, Stride1D.Dense> packed, MemoryBuffer1D<ushort, Stride1D.Dense> scales, MemoryBuffer1D<ushort, Stride1D.Dense> zeros)
    {
        Packed = packed;
        Scales = scales;
        Zeros = zeros;
    }

    public MemoryBuffer1D<byte, Stride1D.Dense> Packed { get; }

    public MemoryBuffer1D<ushort, Stride1D.Dense> Scales { get; }

    public MemoryBuffer1D<ushort, Stride1D.Dense> Zeros { get; }

    /// <summary>Buffers for a rows x width matrix under spec, packed bytes zeroed (a kernel fills them).</summary>
    public static DeviceQuantized Allocate(Accelerator accelerator, int rows, int width, QuantSpec spec)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        ArgumentNullException.ThrowIfNull(spec);
        int groups = spec.GroupCount(rows, width);
        var p = accelerator.Allocate1D<byte>(Math.Max(1L, (long)rows * QuantSpec.RowBytes(width, spec.Bits)));
        p.MemSetToZero();
        return new DeviceQuantized(p, accelerator.Allocate1D<ushort>(Math.Max(1, groups)), accelerator.Allocate1D<ushort>(Math.Max(1, groups)));
    }

    /// <summary>Copies a host quantized matrix to the device.</summary>
    public static DeviceQuantized Upload(Accelerator accelerator, QuantizedMatrix q)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        ArgumentNullException.ThrowIfNull(q);
        return new DeviceQuantized(
            accelerator.Allocate1D(q.Packed.Length == 0 ? new byte[1] : q.Packed),
            accelerator.Allocate1D(q.Scales.Length == 0 ? new ushort[1] : QuantizedMatrix.Bits(q.Scales).ToArray()),
            accelerator.Allocate1D(q.Zeros.Length == 0 ? new ushort[1] : QuantizedMatrix.Bits(q.Zeros).ToArray()));
    }

    public void Dispose()
    {
        Packed.Dispose();
        Scales.Dispose();
        Zeros.Dispose();
    }
}
