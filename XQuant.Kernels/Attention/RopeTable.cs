namespace XQuant.Kernels.Attention;

/// <summary>
/// Rotary position embedding in the rotate-half form (Hugging Face Llama): within each head, element i pairs
/// with element i + HeadDim/2 and both rotate by angle pos x theta^(-2i / HeadDim). Cos and sin are computed once
/// in double and stored as floats, so every implementation (and the GPU) uses identical factors.
/// XQuant applies it to rematerialized keys; KIVI* keys are quantized pre-RoPE, so every cache here stores
/// pre-RoPE keys and attention rotates them with this table.
/// </summary>
public sealed class RopeTable
{
    public RopeTable(int positions, int headDim, double theta = 10000.0)
        : this(positions, headDim, theta, null)
    {
    }

    /// <summary>A table whose frequencies are scaled as a checkpoint's rope_scaling says (null: none).</summary>
    public RopeTable(int positions, int headDim, double theta, RopeScaling? scaling)
    {
        if (headDim % 2 != 0 || positions < 1 || theta <= 1)
        {
            throw new ArgumentException($"RoPE needs an even head dim, at least one position and theta > 1 (got {headDim}, {positions}, {theta})");
        }
        Positions = positions;
        HeadDim = headDim;
        Theta = theta;
        Scaling = scaling;
        double[] inv = RopeScaling.InverseFrequencies(headDim, theta, scaling);
        InverseFrequencies = inv;
        int half = headDim / 2;
        Cos = new float[positions * half];
        Sin = new float[positions * half];
        for (int p = 0; p < positions; p++)
        {
            for (int i = 0; i < half; i++)
            {
                double angle = p * inv[i];
                Cos[(p * half) + i] = (float)Math.Cos(angle);
                Sin[(p * half) + i] = (float)Math.Sin(angle);
            }
        }
    }

    public int Positions { get; }

    public int HeadDim { get; }

    public double Theta { get; }

    /// <summary>The rope_scaling applied (null: none).</summary>
    public RopeScaling? Scaling { get; }

    /// <summary>Angle per position of each of the HeadDim / 2 pairs, after scaling.</summary>
    public IReadOnlyList<double> InverseFrequencies { get; }

    /// <summary>[position, HeadDim / 2] cosines.</summary>
    public float[] Cos { get; }

    /// <summary>[position, HeadDim / 2] sines.</summary>
    public float[] Sin { get; }

    /// <summary>Rotates every head of one row in place: x[i] cos - x[i+h] sin, x[i+h] cos + x[i] sin.</summary>
    public void Apply(Span<float> row, int position)
    {
        int half = HeadDim / 2;
        ReadOnlySpan<float> cos = Cos.AsSpan(position * half, half);
        ReadOnlySpan<float> sin = Sin.AsSpan(position * half, half);
        for (int h0 = 0; h0 < row.Length; h0 += HeadDim)
        {
            for (int i = 0; i < half; i++)
            {
                float a = row[h0 + i];
                float b = row[h0 + half + i];
                row[h0 + i] = (a * cos[i]) - (b * sin[i]);
                row[h0 + half + i] = (b * cos[i]) + (a * sin[i]);
            }
        }
    }
}
