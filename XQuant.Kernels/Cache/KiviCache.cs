using XQuant.Kernels.Quantization;

namespace XQuant.Kernels.Cache;

/// <summary>
/// A KIVI*-style K/V cache for one layer: keys per-channel (groups of G tokens), values per-token (groups of G
/// channels). Per-channel keys can only be quantized once a full group of G tokens exists, so new tokens wait in
/// an FP16 residual window; when it holds G tokens, the window's keys and values are quantized together as one
/// block and the window empties (as KIVI's implementation does for both K and V). The window therefore holds
/// tokens mod G (0 to G - 1) tokens; the cost model's window term (min(l, window)) is its upper bound.
/// </summary>
public sealed class KiviCache
{
    private readonly List<(QuantizedMatrix Keys, QuantizedMatrix Values)> blocks = [];
    private readonly List<Half> windowKeys = [];
    private readonly List<Half> windowValues = [];
    private readonly Func<float[], int, int, QuantSpec, QuantizedMatrix> quantize;

    /// <param name="quantize">The quantizer (defaults to <see cref="Fast.FastCpu.Quantize"/>; all are bit-identical).</param>
    public KiviCache(int width, int bits, int groupSize, Func<float[], int, int, QuantSpec, QuantizedMatrix>? quantize = null)
    {
        Width = width;
        KeySpec = new QuantSpec(bits, groupSize, QuantAxis.PerChannel).Validated();
        ValueSpec = new QuantSpec(bits, groupSize, QuantAxis.PerToken).Validated();
        this.quantize = quantize ?? ((x, r, w, s) => Fast.FastCpu.Quantize(x, r, w, s));
    }

    public int Width { get; }

    public QuantSpec KeySpec { get; }

    public QuantSpec ValueSpec { get; }

    public int QuantizedTokens => blocks.Count * KeySpec.GroupSize;

    public int WindowTokens => windowKeys.Count / Width;

    public int Tokens => QuantizedTokens + WindowTokens;

    public IReadOnlyList<(QuantizedMatrix Keys, QuantizedMatrix Values)> Blocks => blocks;

    /// <summary>Packed codes plus FP16 scales and zeros of the quantized blocks (K and V).</summary>
    public long QuantizedBytes => blocks.Sum(b => b.Keys.StoredBytes + b.Values.StoredBytes);

    /// <summary>The FP16 residual window, K and V: 2 bytes per element.</summary>
    public long WindowBytes => 2L * (windowKeys.Count + windowValues.Count);

    /// <summary>Appends one token's pre-RoPE key and value (each width wide); flushes a full window.</summary>
    public void Append(ReadOnlySpan<float> key, ReadOnlySpan<float> value)
    {
        if (key.Length != Width || value.Length != Width)
        {
            throw new ArgumentException($"key and value must be {Width} wide (got {key.Length}, {value.Length})");
        }
        foreach (float k in key)
        {
            windowKeys.Add((Half)k);
        }
        foreach (float v in value)
        {
            windowValues.Add((Half)v);
        }
        if (WindowTokens == KeySpec.GroupSize)
        {
            int g = KeySpec.GroupSize;
            blocks.Add((quantize(ToFloats(windowKeys), g, Width, KeySpec), quantize(ToFloats(windowValues), g, Width, ValueSpec)));
            windowKeys.Clear();
            windowValues.Clear();
        }
    }

    /// <summary>All keys as tokens x width floats: dequantized blocks, then the FP16 window.</summary>
    public float[] Keys() => Gather(b => b.Keys, windowKeys);

    /// <summary>All values as tokens x width floats: dequantized blocks, then the FP16 window.</summary>
    public float[] Values() => Gather(b => b.Values, windowValues);

    private float[] Gather(Func<(QuantizedMatrix Keys, QuantizedMatrix Values), QuantizedMatrix> pick, List<Half> window)
    {
        var all = new float[(long)Tokens * Width];
        int offset = 0;
        foreach (var b in blocks)
        {
            var m = pick(b);
            Fast.FastCpu.DequantizeRows(m, 0, m.Rows, all.AsSpan(offset, m.Rows * Width));
            offset += m.Rows * Width;
        }
        for (int i = 0; i < window.Count; i++)
        {
            all[offset + i] = (float)window[i];
        }
        return all;
    }

    private static float[] ToFloats(List<Half> values)
    {
        var f = new float[values.Count];
        for (int i = 0; i < f.Length; i++)
        {
            f[i] = (float)values[i];
        }
        return f;
    }
}
