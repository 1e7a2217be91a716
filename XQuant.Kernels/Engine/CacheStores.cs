using XQuant.Kernels.Fast;
using XQuant.Kernels.Quantization;

namespace XQuant.Kernels.Engine;

/// <summary>Per-worker buffers for one attention tile (reused across calls; never shared between threads).</summary>
internal sealed class TileBuffers
{
    public TileBuffers(EngineConfig c)
    {
        K = new float[EngineAttention.TileTokens * c.KvDim];
        V = new float[EngineAttention.TileTokens * c.KvDim];
        Kv = new float[EngineAttention.TileTokens * 2 * c.KvDim];
        X = new float[EngineAttention.TileTokens * c.HiddenSize];
        Max = new float[c.Heads];
        Sum = new float[c.Heads];
        Acc = new float[c.QDim];
        Scores = new float[EngineAttention.TileTokens];
        wideLength = EngineAttention.TileTokens * c.HiddenSize;
    }

    private readonly int wideLength;
    private float[]? wide;

    /// <summary>A second tile x d buffer (XQuant-CL-GQA's up-projected delta latents), allocated on first use.</summary>
    public float[] Wide => wide ??= new float[wideLength];

    public float[] K { get; }
    public float[] V { get; }
    public float[] Kv { get; }
    public float[] X { get; }
    public float[] Max { get; }
    public float[] Sum { get; }
    public float[] Acc { get; }
    public float[] Scores { get; }
}

/// <summary>FP16 K and V rows (keys after RoPE), 2 bytes per element.</summary>
internal sealed class Fp16Store(int width, int capacity)
{
    private readonly ushort[] keys = new ushort[(long)width * capacity];
    private readonly ushort[] values = new ushort[(long)width * capacity];

    public int Tokens { get; private set; }

    public long Bytes => 2L * 2 * width * Tokens;

    public void Append(ReadOnlySpan<float> k, ReadOnlySpan<float> v)
    {
        HalfVector.FromFloat(k, keys.AsSpan(Tokens * width, width));
        HalfVector.FromFloat(v, values.AsSpan(Tokens * width, width));
        Tokens++;
    }

    public void Read(int t0, int n, Span<float> k, Span<float> v)
    {
        HalfVector.ToFloat(keys.AsSpan(t0 * width, n * width), k);
        HalfVector.ToFloat(values.AsSpan(t0 * width, n * width), v);
    }
}

/// <summary>Per-token quantized rows (X or its cross-layer delta), in chunks of 64 rows; each row is quantized on append.</summary>
internal sealed class RowStore(int width, QuantSpec spec)
{
    public const int ChunkRows = EngineAttention.TileTokens;

    private readonly List<QuantizedMatrix> chunks = [];
    private readonly int rowBytes = QuantSpec.RowBytes(width, spec.Bits);
    private readonly int groupsPerRow = (width + spec.GroupSize - 1) / spec.GroupSize;

    public int Tokens { get; private set; }

    public long Bytes => (long)Tokens * (rowBytes + (4L * groupsPerRow));

    public void Append(float[] row)
    {
        var q = FastCpu.Quantize(row, 1, width, spec);
        int r = Tokens % ChunkRows;
        if (r == 0)
        {
            chunks.Add(QuantizedMatrix.Allocate(ChunkRows, width, spec));
        }
        var chunk = chunks[^1];
        q.Packed.CopyTo(chunk.Packed, r * rowBytes);
        q.Scales.CopyTo(chunk.Scales, r * groupsPerRow);
        q.Zeros.CopyTo(chunk.Zeros, r * groupsPerRow);
        Tokens++;
    }

    /// <summary>The chunk holding row t and t's row inside it.</summary>
    public (QuantizedMatrix Chunk, int Row) Locate(int t) => (chunks[t / ChunkRows], t % ChunkRows);

    public void Dequantize(int t0, int n, Span<float> dst)
    {
        for (int r = t0; r < t0 + n;)
        {
            var (chunk, within) = Locate(r);
            int count = Math.Min(ChunkRows - within, t0 + n - r);
            FastCpu.DequantizeRows(chunk, within, count, dst.Slice((r - t0) * width, count * width));
            r += count;
        }
    }
}
