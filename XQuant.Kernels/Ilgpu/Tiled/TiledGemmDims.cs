namespace XQuant.Kernels.Ilgpu.Tiled;

/// <summary>
/// Sizes of one dequantize-GEMM launch C (Rows x Columns) = A (Rows x Depth) B (Depth x Columns), one operand quantized. With
/// <see cref="QuantizedA"/> = 1 (remat), A is deQ(X) and B the dense weights; with 0 (V-absorbed p X^), A is dense
/// and B is deQ(X). Depth is split into <see cref="Splits"/> slices of <see cref="KPerSplit"/>; slice s writes its partial
/// C at offset s x Rows x Columns (summed afterwards in a fixed order), so a GEMM with few output tiles still fills the device.
/// </summary>
public readonly struct TiledGemmDims
{
    public TiledGemmDims(int rows, int depth, int columns, bool quantizedA, int splits)
    {
        Rows = rows;
        Depth = depth;
        Columns = columns;
        QuantizedA = quantizedA ? 1 : 0;
        Splits = Math.Max(1, splits);
        int per = (depth + Splits - 1) / Splits;
        // Slices start on a tile boundary so every slice but the last stages whole K tiles.
        KPerSplit = Math.Max(TiledKernels.TileK, (per + TiledKernels.TileK - 1) / TiledKernels.TileK * TiledKernels.TileK);
    }

    public int Rows { get; }

    public int Depth { get; }

    public int Columns { get; }

    /// <summary>1: A is the quantized operand; 0: B is (an int: kernels branch on it).</summary>
    public int QuantizedA { get; }

    public int Splits { get; }

    public int KPerSplit { get; }
}
