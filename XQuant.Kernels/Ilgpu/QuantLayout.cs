using XQuant.Kernels.Quantization;

namespace XQuant.Kernels.Ilgpu;

/// <summary>The scalars a quantization kernel needs, in one unmanaged struct (ILGPU kernels take no objects).</summary>
public readonly struct QuantLayout
{
    public QuantLayout(int rows, int width, QuantSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Rows = rows;
        Width = width;
        Bits = spec.Bits;
        GroupSize = spec.GroupSize;
        PerToken = spec.Axis == QuantAxis.PerToken ? 1 : 0;
        GroupsPerRow = (width + spec.GroupSize - 1) / spec.GroupSize;
        RowBytes = QuantSpec.RowBytes(width, spec.Bits);
        MaxCode = spec.MaxCode;
    }

    public int Rows { get; }

    public int Width { get; }

    public int Bits { get; }

    public int GroupSize { get; }

    /// <summary>1 for per-token groups, 0 for per-channel (an int: kernels branch on it).</summary>
    public int PerToken { get; }

    public int GroupsPerRow { get; }

    public int RowBytes { get; }

    public int MaxCode { get; }

    /// <summary>Same index as <see cref="QuantSpec.GroupIndex"/>.</summary>
    public int GroupIndex(int row, int col) => PerToken != 0
        ? (row * GroupsPerRow) + (col / GroupSize)
        : ((row / GroupSize) * Width) + col;
}
