using XQuant.Kernels.Fast;
using XQuant.Kernels.Quantization;

namespace XQuant.Kernels.Gqa;

/// <summary>
/// A quantized GQA latent (X Uk per-channel or X Uv per-token, tokens x d_kv). With
/// <see cref="FirstChannel"/> set, latent channel 0 (the top singular direction, where X Uk's outliers gather) is
/// kept in FP16 and <see cref="Rest"/> quantizes channels 1 .. d_kv-1.
/// </summary>
public sealed record LatentMatrix(QuantizedMatrix Rest, Half[]? FirstChannel)
{
    public int Rows => Rest.Rows;

    public int Width => Rest.Width + (FirstChannel is null ? 0 : 1);

    public long StoredBytes => Rest.StoredBytes + (FirstChannel is null ? 0 : 2L * FirstChannel.Length);

    public static LatentMatrix Quantize(float[] z, int tokens, int width, QuantSpec spec, bool fp16FirstChannel)
    {
        ArgumentNullException.ThrowIfNull(z);
        if (!fp16FirstChannel)
        {
            return new LatentMatrix(FastCpu.Quantize(z, tokens, width, spec), null);
        }
        var first = new Half[tokens];
        var rest = new float[tokens * (width - 1)];
        for (int t = 0; t < tokens; t++)
        {
            first[t] = (Half)z[t * width];
            z.AsSpan((t * width) + 1, width - 1).CopyTo(rest.AsSpan(t * (width - 1)));
        }
        return new LatentMatrix(FastCpu.Quantize(rest, tokens, width - 1, spec), first);
    }

    /// <summary>tokens x Width floats.</summary>
    public float[] Dequantize()
    {
        var rest = FastCpu.Dequantize(Rest);
        if (FirstChannel is null)
        {
            return rest;
        }
        int w = Width;
        var z = new float[Rows * w];
        for (int t = 0; t < Rows; t++)
        {
            z[t * w] = (float)FirstChannel[t];
            rest.AsSpan(t * (w - 1), w - 1).CopyTo(z.AsSpan((t * w) + 1));
        }
        return z;
    }
}
