using ILGPU;
using ILGPU.Algorithms;
using XQuant.Kernels.Quantization;

namespace XQuant.Kernels.Ilgpu;

/// <summary>
/// The ILGPU kernels: static methods over views and scalars that compile for CUDA, OpenCL and ILGPU's CPU
/// accelerator. Each thread owns a chunk (a group, a row, a row's column block, a head): rows are owned by one
/// thread so packed bytes are written without atomics. Quantization uses <see cref="QuantMath"/> and
/// <see cref="HalfBits"/>, the same code as the CPU paths, so codes, scales and zeros are bit-identical.
/// </summary>
public static class IlgpuKernels
{
    /// <summary>Per-token stats: thread i = (row, group) with i = row x GroupsPerRow + group. x: rows x width.</summary>
    public static void StatsPerToken(Index1D i, ArrayView<float> x, QuantLayout l, ArrayView<ushort> scales, ArrayView<ushort> zeros)
    {
        int row = i / l.GroupsPerRow;
        int c0 = (i % l.GroupsPerRow) * l.GroupSize;
        int c1 = IntrinsicMath.Min(l.Width, c0 + l.GroupSize);
        float min = x[(row * l.Width) + c0], max = min;
        for (int c = c0 + 1; c < c1; c++)
        {
            float v = x[(row * l.Width) + c];
            min = IntrinsicMath.Min(min, v);
            max = IntrinsicMath.Max(max, v);
        }
        QuantMath.ScaleZero(min, max, l.MaxCode, out ushort s, out ushort z);
        scales[i] = s;
        zeros[i] = z;
    }

    /// <summary>Per-channel stats: thread i = (token group, column) with i = tokenGroup x width + column.</summary>
    public static void StatsPerChannel(Index1D i, ArrayView<float> x, QuantLayout l, ArrayView<ushort> scales, ArrayView<ushort> zeros)
    {
        int col = i % l.Width;
        int r0 = (i / l.Width) * l.GroupSize;
        int r1 = IntrinsicMath.Min(l.Rows, r0 + l.GroupSize);
        float min = x[(r0 * l.Width) + col], max = min;
        for (int r = r0 + 1; r < r1; r++)
        {
            float v = x[(r * l.Width) + col];
            min = IntrinsicMath.Min(min, v);
            max = IntrinsicMath.Max(max, v);
        }
        QuantMath.ScaleZero(min, max, l.MaxCode, out ushort s, out ushort z);
        scales[i] = s;
        zeros[i] = z;
    }

    /// <summary>Codes and packing of one row per thread: a bit buffer flushed a byte at a time, LSB first.</summary>
    public static void PackRows(Index1D row, ArrayView<float> x, QuantLayout l, ArrayView<ushort> scales, ArrayView<ushort> zeros, ArrayView<byte> packed)
    {
        uint buffer = 0;
        int filled = 0;
        int outIndex = row * l.RowBytes;
        for (int c = 0; c < l.Width; c++)
        {
            int gi = l.GroupIndex(row, c);
            int code = QuantMath.Code(x[(row * l.Width) + c], HalfBits.ToFloat(scales[gi]), HalfBits.ToFloat(zeros[gi]), l.MaxCode);
            buffer |= (uint)code << filled;
            filled += l.Bits;
            while (filled >= 8)
            {
                packed[outIndex] = (byte)buffer;
                outIndex++;
                buffer >>= 8;
                filled -= 8;
            }
        }
        if (filled > 0)
        {
            packed[outIndex] = (byte)buffer;
        }
    }

    /// <summary>Dequantized element (row, col), read from the packed bit stream.</summary>
    public static float DequantAt(ArrayView<byte> packed, ArrayView<ushort> scales, ArrayView<ushort> zeros, QuantLayout l, int row, int col)
    {
        int bit = col * l.Bits;
        int b = (row * l.RowBytes) + (bit >> 3);
        int shift = bit & 7;
        int word = packed[b];
        if (shift + l.Bits > 8)
        {
            word |= packed[b + 1] << 8;
        }
        int code = (word >> shift) & l.MaxCode;
        int gi = l.GroupIndex(row, col);
        return QuantMath.Dequantize(code, HalfBits.ToFloat(scales[gi]), HalfBits.ToFloat(zeros[gi]));
    }

    /// <summary>Dequantizes one row per thread into y (rows x width).</summary>
    public static void DequantRows(Index1D row, ArrayView<byte> packed, ArrayView<ushort> scales, ArrayView<ushort> zeros, QuantLayout l, ArrayView<float> y)
    {
        for (int c = 0; c < l.Width; c++)
        {
            y[(row * l.Width) + c] = DequantAt(packed, scales, zeros, l, row, c);
        }
    }

    /// <summary>
    /// Fused remat: thread (row, block) computes out[row, block x cols .. + cols) = deQ(X)[row, :] W[:, block],
    /// dequantizing each X element once per thread and never storing X^. W: width x n row-major; out: rows x n.
    /// A correctness kernel: it does not tile through shared memory, so it is far from a GPU's peak.
    /// </summary>
    public static void Remat(Index2D index, ArrayView<byte> packed, ArrayView<ushort> scales, ArrayView<ushort> zeros, QuantLayout l, ArrayView<float> w, int n, int cols, ArrayView<float> output)
    {
        int row = index.X;
        int j0 = index.Y * cols;
        int j1 = IntrinsicMath.Min(n, j0 + cols);
        for (int j = j0; j < j1; j++)
        {
            output[(row * n) + j] = 0f;
        }
        for (int k = 0; k < l.Width; k++)
        {
            float a = DequantAt(packed, scales, zeros, l, row, k);
            for (int j = j0; j < j1; j++)
            {
                output[(row * n) + j] += a * w[(k * n) + j];
            }
        }
    }

    /// <summary>
    /// Decode attention, one query head per thread, two-pass softmax. Keys are rotated (rotate-half RoPE, token t
    /// at position t) as they are read. q: heads x dh; k, v: tokens x dkv; scores: heads x tokens scratch.
    /// </summary>
    public static void Attention(Index1D h, ArrayView<float> q, ArrayView<float> k, ArrayView<float> v, AttentionDims a, ArrayView<float> cos, ArrayView<float> sin, ArrayView<float> scores, ArrayView<float> output)
    {
        int kvOffset = (h / a.Group) * a.HeadDim;
        int half = a.HeadDim / 2;
        float max = float.NegativeInfinity;
        for (int t = 0; t < a.Tokens; t++)
        {
            float s = 0f;
            int kb = (t * a.KvDim) + kvOffset;
            for (int i = 0; i < half; i++)
            {
                float c = cos[(t * half) + i], sn = sin[(t * half) + i];
                float x1 = k[kb + i], x2 = k[kb + half + i];
                s += q[(h * a.HeadDim) + i] * ((x1 * c) - (x2 * sn));
                s += q[(h * a.HeadDim) + half + i] * ((x2 * c) + (x1 * sn));
            }
            s *= a.ScoreScale;
            scores[(h * a.Tokens) + t] = s;
            max = IntrinsicMath.Max(max, s);
        }
        float sum = 0f;
        for (int t = 0; t < a.Tokens; t++)
        {
            float e = XMath.Exp(scores[(h * a.Tokens) + t] - max);
            scores[(h * a.Tokens) + t] = e;
            sum += e;
        }
        for (int i = 0; i < a.HeadDim; i++)
        {
            float o = 0f;
            for (int t = 0; t < a.Tokens; t++)
            {
                o += scores[(h * a.Tokens) + t] * v[(t * a.KvDim) + kvOffset + i];
            }
            output[(h * a.HeadDim) + i] = o / sum;
        }
    }
}
