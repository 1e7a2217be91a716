using XQuant.Kernels.Fast;
using XQuant.Kernels.Quantization;

namespace XQuant.Kernels.CrossLayer;

/// <summary>
/// XQuant-CL. Layers 0 .. BaseLayers-1 store Q(X_i) at <see cref="BaseBits"/> (per-token); the last base layer
/// seeds the accumulator X^. Every later layer stores the sequential delta dX_i = Q(X_i - X^_{i-1}) at
/// <see cref="DeltaBits"/> along <see cref="DeltaAxis"/>, and X^_i = X^_{i-1} + deQ(dX_i). The encoder uses the
/// same X^ the decoder will have, so errors do not compound. The paper leaves these open; here they are
/// parameters: delta axis (default per-token), and <see cref="AccumulatorBits"/>: 16 keeps the accumulator in float
/// (exactly the running sum), 2..8 re-quantizes it per-token after every update (a smaller working buffer).
/// For GQA the same codec runs on latents X Ukv (2 d_kv wide; accumulating there equals the paper's d-wide
/// accumulator when it is not re-quantized, because Wkv = Ukv Ukv^T Wkv), and K|V = L^ (S B^T).
/// </summary>
public sealed record CrossLayerCodec(int DeltaBits, int BaseBits = 4, int BaseLayers = 3, int GroupSize = 128, QuantAxis DeltaAxis = QuantAxis.PerToken, int AccumulatorBits = 16)
{
    /// <summary>Encodes layers (each tokens x width): BaseLayers quantized X, then one quantized delta per layer.</summary>
    public IReadOnlyList<QuantizedMatrix> Encode(IReadOnlyList<float[]> layers, int tokens, int width)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (BaseLayers < 1 || BaseLayers > layers.Count)
        {
            throw new ArgumentException($"base layers must be 1 to {layers.Count} (got {BaseLayers})");
        }
        var stored = new List<QuantizedMatrix>(layers.Count);
        float[] acc = [];
        for (int i = 0; i < layers.Count; i++)
        {
            if (i < BaseLayers)
            {
                var q = FastCpu.Quantize(layers[i], tokens, width, new QuantSpec(BaseBits, GroupSize, QuantAxis.PerToken));
                stored.Add(q);
                acc = FastCpu.Dequantize(q);
                continue;
            }
            var delta = new float[layers[i].Length];
            for (int j = 0; j < delta.Length; j++)
            {
                delta[j] = layers[i][j] - acc[j];
            }
            var dq = FastCpu.Quantize(delta, tokens, width, new QuantSpec(DeltaBits, GroupSize, DeltaAxis));
            stored.Add(dq);
            acc = Update(acc, dq, tokens, width);
        }
        return stored;
    }

    /// <summary>X^_i for every layer, decoded the way a decode step would, layer after layer.</summary>
    public IReadOnlyList<float[]> Reconstruct(IReadOnlyList<QuantizedMatrix> stored, int tokens, int width)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var result = new List<float[]>(stored.Count);
        float[] acc = [];
        for (int i = 0; i < stored.Count; i++)
        {
            acc = i < BaseLayers ? FastCpu.Dequantize(stored[i]) : Update(acc, stored[i], tokens, width);
            result.Add(acc);
        }
        return result;
    }

    /// <summary>acc + deQ(delta), re-quantized per-token when the accumulator is kept below 16 bits.</summary>
    private float[] Update(float[] acc, QuantizedMatrix delta, int tokens, int width)
    {
        var d = FastCpu.Dequantize(delta);
        var next = new float[acc.Length];
        for (int j = 0; j < next.Length; j++)
        {
            next[j] = acc[j] + d[j];
        }
        return AccumulatorBits >= 16
            ? next
            : FastCpu.Dequantize(FastCpu.Quantize(next, tokens, width, new QuantSpec(AccumulatorBits, GroupSize, QuantAxis.PerToken)));
    }
}
