namespace XQuant.Kernels.Quantization;

/// <summary>
/// A quantized rows x width matrix (rows = tokens). <see cref="Packed"/> holds rows x RowBytes bytes: each row
/// packs its width codes LSB-first into a contiguous bit stream that starts on a byte boundary
/// (ceil(width x bits / 8) bytes; 3-bit puts 8 codes in 3 bytes). <see cref="Scales"/> and <see cref="Zeros"/>
/// hold one FP16 value per group, indexed by <see cref="QuantSpec.GroupIndex"/>: per-token [row, col / G],
/// per-channel [row / G, col].
/// </summary>
public sealed class QuantizedMatrix
{
    public QuantizedMatrix(int rows, int width, QuantSpec spec, byte[] packed, Half[] scales, Half[] zeros)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validated();
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        if (packed.Length != (long)rows * QuantSpec.RowBytes(width, spec.Bits))
        {
            throw new ArgumentException($"packed holds {packed.Length} bytes; {rows} rows of width {width} at {spec.Bits} bits need {(long)rows * QuantSpec.RowBytes(width, spec.Bits)}", nameof(packed));
        }
        int groups = spec.GroupCount(rows, width);
        if (scales.Length != groups || zeros.Length != groups)
        {
            throw new ArgumentException($"expected {groups} scales and zeros, got {scales.Length} and {zeros.Length}", nameof(scales));
        }
        Rows = rows;
        Width = width;
        Spec = spec;
        Packed = packed;
        Scales = scales;
        Zeros = zeros;
    }

    public int Rows { get; }

    public int Width { get; }

    public QuantSpec Spec { get; }

    public byte[] Packed { get; }

    public Half[] Scales { get; }

    public Half[] Zeros { get; }

    public int RowBytes => QuantSpec.RowBytes(Width, Spec.Bits);

    /// <summary>Bytes this matrix stores: packed codes plus 2 + 2 bytes of FP16 scale and zero per group.</summary>
    public long StoredBytes => Packed.LongLength + (4L * Scales.Length);

    /// <summary>An empty matrix of the right sizes, for kernels to fill.</summary>
    public static QuantizedMatrix Allocate(int rows, int width, QuantSpec spec)
    {
        int groups = spec.Validated().GroupCount(rows, width);
        return new QuantizedMatrix(rows, width, spec, new byte[(long)rows * QuantSpec.RowBytes(width, spec.Bits)], new Half[groups], new Half[groups]);
    }

    /// <summary>The code of element (row, col), unpacked from the bit stream.</summary>
    public int Code(int row, int col) => BitPacking.Read(Packed, (long)row * RowBytes, col, Spec.Bits);

    /// <summary>True when both matrices have the same shape, spec, bytes, scales and zeros (bit for bit).</summary>
    public bool BitEquals(QuantizedMatrix other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Rows == other.Rows && Width == other.Width && Spec == other.Spec
            && Packed.AsSpan().SequenceEqual(other.Packed)
            && Bits(Scales).SequenceEqual(Bits(other.Scales))
            && Bits(Zeros).SequenceEqual(Bits(other.Zeros));
    }

    /// <summary>A description of the first difference, or null when bit-equal; tests print it.</summary>
    public string? FirstDifference(QuantizedMatrix other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Rows != other.Rows || Width != other.Width || Spec != other.Spec)
        {
            return $"shape/spec {Rows}x{Width} {Spec} vs {other.Rows}x{other.Width} {other.Spec}";
        }
        for (int i = 0; i < Scales.Length; i++)
        {
            if (BitConverter.HalfToUInt16Bits(Scales[i]) != BitConverter.HalfToUInt16Bits(other.Scales[i])
                || BitConverter.HalfToUInt16Bits(Zeros[i]) != BitConverter.HalfToUInt16Bits(other.Zeros[i]))
            {
                return $"group {i}: scale {Scales[i]} vs {other.Scales[i]}, zero {Zeros[i]} vs {other.Zeros[i]}";
            }
        }
        for (int r = 0; r < Rows; r++)
        {
            for (int c = 0; c < Width; c++)
            {
                if (Code(r, c) != other.Code(r, c))
                {
                    return $"code ({r},{c}): {Code(r, c)} vs {other.Code(r, c)}";
                }
            }
        }
        return Packed.AsSpan().SequenceEqual(other.Packed) ? null : "padding bits differ";
    }

    internal static ReadOnlySpan<ushort> Bits(Half[] values) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<Half, ushort>(values.AsSpan());
}
