namespace XQuant.Kernels.Quantization;

/// <summary>
/// Asymmetric uniform min/max quantization: <see cref="GroupSize"/> elements along <see cref="Axis"/> share one
/// FP16 scale = (max - min) / (2^bits - 1) and one FP16 zero = min. Codes are
/// clamp(floor((x - zero) / scale + 0.5), 0, 2^bits - 1), computed with the Half-rounded scale and zero so that
/// dequantization (zero + scale * code) reproduces exactly what the quantizer assumed.
/// </summary>
public sealed record QuantSpec(int Bits, int GroupSize, QuantAxis Axis)
{
    /// <summary>The bit widths with a packing defined (3-bit packs 8 codes into 3 bytes).</summary>
    public static readonly IReadOnlyList<int> SupportedBits = [2, 3, 4, 8];

    /// <summary>Largest code, 2^bits - 1.</summary>
    public int MaxCode => (1 << Bits) - 1;

    /// <summary>Throws <see cref="ArgumentException"/> unless bits is 2, 3, 4 or 8 and the group size is positive.</summary>
    public QuantSpec Validated()
    {
        if (!SupportedBits.Contains(Bits))
        {
            throw new ArgumentException($"bits must be one of 2, 3, 4, 8 (got {Bits})", nameof(Bits));
        }
        if (GroupSize < 1)
        {
            throw new ArgumentException($"group size must be at least 1 (got {GroupSize})", nameof(GroupSize));
        }
        return this;
    }

    /// <summary>Packed bytes of one token row: rows start on a byte boundary, ceil(width x bits / 8).</summary>
    public static int RowBytes(int width, int bits) => (int)(((long)width * bits + 7) / 8);

    /// <summary>Scale/zero pairs per matrix: per-token rows x ceil(width / G), per-channel ceil(rows / G) x width.</summary>
    public int GroupCount(int rows, int width) => Axis == QuantAxis.PerToken
        ? rows * CeilDiv(width, GroupSize)
        : CeilDiv(rows, GroupSize) * width;

    /// <summary>Index into the scale/zero arrays for element (row, col).</summary>
    public int GroupIndex(int row, int col, int width) => Axis == QuantAxis.PerToken
        ? (row * CeilDiv(width, GroupSize)) + (col / GroupSize)
        : ((row / GroupSize) * width) + col;

    public override string ToString() => $"{Bits}-bit, G={GroupSize}, {(Axis == QuantAxis.PerToken ? "per-token" : "per-channel")}";

    internal static int CeilDiv(int a, int b) => (a + b - 1) / b;
}
