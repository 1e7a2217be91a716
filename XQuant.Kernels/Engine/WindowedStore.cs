using XQuant.Kernels.Fast;
using XQuant.Kernels.Gqa;
using XQuant.Kernels.Quantization;

namespace XQuant.Kernels.Engine;

/// <summary>
/// A pair of cached tensors, the first quantized per-channel and the second per-token, in blocks of G tokens, with
/// the latest tokens in an fp16 window: when the window holds W tokens (W a multiple of G; W = 0 means G) they are
/// quantized as W / G blocks and the window empties, so at l tokens it holds l mod W, as XQuant.Sim's CacheMemory
/// counts. Serves KIVI* (keys pre-RoPE, values) and XQuant-GQA (latents X Uk, X Uv); with
/// <c>fp16FirstChannel</c> the first tensor's channel 0 stays in fp16 (<see cref="LatentMatrix"/>).
/// </summary>
internal sealed class WindowedStore
{
    private readonly List<(LatentMatrix Keys, QuantizedMatrix Values)> blocks = [];
    private readonly ushort[] windowKeys;
    private readonly ushort[] windowValues;
    private readonly int width;
    private readonly int group;
    private readonly int window;
    private readonly bool firstFp16;
    private readonly QuantSpec keySpec;
    private readonly QuantSpec valueSpec;
    private int windowCount;

    public WindowedStore(int width, int bits, int groupSize, int windowTokens, bool fp16FirstChannel)
    {
        this.width = width;
        group = groupSize;
        firstFp16 = fp16FirstChannel;
        keySpec = new QuantSpec(bits, groupSize, QuantAxis.PerChannel).Validated();
        valueSpec = new QuantSpec(bits, groupSize, QuantAxis.PerToken).Validated();
        window = windowTokens > 0 ? windowTokens : groupSize;
        windowKeys = new ushort[(long)window * width];
        windowValues = new ushort[(long)window * width];
    }

    public int QuantizedTokens => blocks.Count * group;

    public long Bytes => blocks.Sum(b => b.Keys.StoredBytes + b.Values.StoredBytes) + (2L * 2 * width * windowCount);

    public void Append(ReadOnlySpan<float> keyLatent, ReadOnlySpan<float> valueLatent)
    {
        HalfVector.FromFloat(keyLatent, windowKeys.AsSpan(windowCount * width, width));
        HalfVector.FromFloat(valueLatent, windowValues.AsSpan(windowCount * width, width));
        windowCount++;
        if (windowCount < window)
        {
            return;
        }
        int full = window / group * group;
        for (int t0 = 0; t0 < full; t0 += group)
        {
            var kf = new float[group * width];
            var vf = new float[group * width];
            HalfVector.ToFloat(windowKeys.AsSpan(t0 * width, group * width), kf);
            HalfVector.ToFloat(windowValues.AsSpan(t0 * width, group * width), vf);
            blocks.Add((LatentMatrix.Quantize(kf, group, width, keySpec, firstFp16), FastCpu.Quantize(vf, group, width, valueSpec)));
        }
        Array.Copy(windowKeys, full * width, windowKeys, 0, (window - full) * width);
        Array.Copy(windowValues, full * width, windowValues, 0, (window - full) * width);
        windowCount = window - full;
    }

    /// <summary>Latent rows [t0, t0 + n) as floats.</summary>
    public void Read(int t0, int n, Span<float> k, Span<float> v)
    {
        int q = QuantizedTokens;
        for (int r = t0; r < t0 + n;)
        {
            int off = (r - t0) * width;
            if (r < q)
            {
                int b = r / group, within = r % group, count = Math.Min(group - within, t0 + n - r);
                ReadKeys(blocks[b].Keys, within, count, k.Slice(off, count * width));
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

    private void ReadKeys(LatentMatrix m, int row0, int count, Span<float> dst)
    {
        if (m.FirstChannel is null)
        {
            FastCpu.DequantizeRows(m.Rest, row0, count, dst);
            return;
        }
        int w1 = width - 1;
        var rest = new float[count * w1];
        FastCpu.DequantizeRows(m.Rest, row0, count, rest);
        for (int t = 0; t < count; t++)
        {
            dst[t * width] = (float)m.FirstChannel[row0 + t];
            rest.AsSpan(t * w1, w1).CopyTo(dst.Slice((t * width) + 1, w1));
        }
    }
}
