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
        X = new float[EngineAttention.TileTokens * c.Hidden];
        Max = new float[c.Heads];
        Sum = new float[c.Heads];
        Acc = new float[c.QDim];
        Scores = new float[EngineAttention.TileTokens];
        wideLength = EngineAttention.TileTokens * c.Hidden;
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

/// <summary>
/// KIVI*: keys per-channel and values per-token in blocks of G tokens, the latest tokens in an fp16 window. When
/// the window holds W tokens (W a multiple of G; W = 0 means G) they are quantized as W / G blocks and the window
/// empties, so at l tokens it holds l mod W: what XQuant.Sim's CacheMemory counts, and what KIVI's residual does.
/// Keys are stored before RoPE and rotated per tile.
/// </summary>
internal sealed class KiviStore
{
    private readonly List<(QuantizedMatrix Keys, QuantizedMatrix Values)> blocks = [];
    private readonly ushort[] windowKeys;
    private readonly ushort[] windowValues;
    private readonly int width;
    private readonly int group;
    private readonly int window;
    private readonly QuantSpec keySpec;
    private readonly QuantSpec valueSpec;
    private int windowCount;

    public KiviStore(int width, int bits, int groupSize, int windowTokens)
    {
        this.width = width;
        group = groupSize;
        keySpec = new QuantSpec(bits, groupSize, QuantAxis.PerChannel).Validated();
        valueSpec = new QuantSpec(bits, groupSize, QuantAxis.PerToken).Validated();
        window = windowTokens > 0 ? windowTokens : groupSize;
        windowKeys = new ushort[(long)window * width];
        windowValues = new ushort[(long)window * width];
    }

    public int QuantizedTokens => blocks.Count * group;

    public int Tokens => QuantizedTokens + windowCount;

    public long Bytes => blocks.Sum(b => b.Keys.StoredBytes + b.Values.StoredBytes) + (2L * 2 * width * windowCount);

    public void Append(ReadOnlySpan<float> keyPreRope, ReadOnlySpan<float> value)
    {
        HalfVector.FromFloat(keyPreRope, windowKeys.AsSpan(windowCount * width, width));
        HalfVector.FromFloat(value, windowValues.AsSpan(windowCount * width, width));
        windowCount++;
        if (windowCount < window)
        {
            return;
        }
        var kf = new float[group * width];
        var vf = new float[group * width];
        int full = window / group * group;
        for (int t0 = 0; t0 < full; t0 += group)
        {
            HalfVector.ToFloat(windowKeys.AsSpan(t0 * width, group * width), kf);
            HalfVector.ToFloat(windowValues.AsSpan(t0 * width, group * width), vf);
            blocks.Add((FastCpu.Quantize(kf, group, width, keySpec), FastCpu.Quantize(vf, group, width, valueSpec)));
        }
        Array.Copy(windowKeys, full * width, windowKeys, 0, (window - full) * width);
        Array.Copy(windowValues, full * width, windowValues, 0, (window - full) * width);
        windowCount = window - full;
    }

    /// <summary>Rows [t0, t0 + n) as floats (keys still pre-RoPE).</summary>
    public void Read(int t0, int n, Span<float> k, Span<float> v)
    {
        int q = QuantizedTokens;
        for (int r = t0; r < t0 + n;)
        {
            int off = (r - t0) * width;
            if (r < q)
            {
                int b = r / group, within = r % group, count = Math.Min(group - within, t0 + n - r);
                FastCpu.DequantizeRows(blocks[b].Keys, within, count, k.Slice(off, count * width));
                FastCpu.DequantizeRows(blocks[b].Values, within, count, v.Slice(off, count * width));
                r += count;
            }
            else
            {
                int idx = r - q, count = t0 + n - r;
                HalfVector.ToFloat(windowKeys.AsSpan(idx * width, count * width), k.Slice(off, count * width));
                HalfVector.ToFloat(windowValues.AsSpan(idx * width, count * width), v.Slice(off, count * width));
                r += count;
            }
        }
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
