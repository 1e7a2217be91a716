namespace XQuant.Kernels.Quantization;

/// <summary>
/// The packing every implementation writes: code i of a row occupies bits [i x bits, (i + 1) x bits) of the row's
/// bit stream, least significant bit first, byte 0 first. A 3-bit code may straddle two bytes.
/// </summary>
public static class BitPacking
{
    /// <summary>Reads code <paramref name="index"/> of the row that starts at byte <paramref name="rowStart"/>.</summary>
    public static int Read(ReadOnlySpan<byte> packed, long rowStart, int index, int bits)
    {
        long bit = (long)index * bits;
        long b = rowStart + (bit >> 3);
        int shift = (int)(bit & 7);
        int word = packed[(int)b];
        if (shift + bits > 8)
        {
            word |= packed[(int)b + 1] << 8;
        }
        return (word >> shift) & ((1 << bits) - 1);
    }

    /// <summary>ORs code <paramref name="index"/> into a zeroed row; the caller owns the whole row.</summary>
    public static void Write(Span<byte> packed, long rowStart, int index, int bits, int code)
    {
        long bit = (long)index * bits;
        long b = rowStart + (bit >> 3);
        int shift = (int)(bit & 7);
        int word = code << shift;
        packed[(int)b] |= (byte)word;
        if (shift + bits > 8)
        {
            packed[(int)b + 1] |= (byte)(word >> 8);
        }
    }

    /// <summary>Packs byte codes (one per element) into a row's bit stream; the destination is overwritten.</summary>
    public static void PackRow(ReadOnlySpan<byte> codes, Span<byte> row, int bits)
    {
        row.Clear();
        for (int i = 0; i < codes.Length; i++)
        {
            Write(row, 0, i, bits, codes[i]);
        }
    }
}
