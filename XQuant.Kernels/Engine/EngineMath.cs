using System.Runtime.Intrinsics;
using XQuant.Kernels.Fast;

namespace XQuant.Kernels.Engine;

/// <summary>
/// The decode-time vector kernels the fast CPU library lacks: a GEMV (one token through packed weights) and the
/// elementwise ops of a Llama layer. <see cref="Gemm.Multiply"/> pads a single row to an 8-row tile and runs on
/// one thread; a decode step needs one row on every core, streaming each weight once.
/// </summary>
public static class EngineMath
{
    /// <summary>Elements below which a GEMV runs inline (a parallel dispatch costs more than the work).</summary>
    public const int InlineGemvElements = 1 << 15;

    /// <summary>y (n) = x (k) W (k x n), parallel over panels of 32 output columns.</summary>
    public static unsafe void Gemv(ReadOnlySpan<float> x, PackedWeights w, Span<float> y)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (x.Length < w.Rows || y.Length < w.Columns)
        {
            throw new ArgumentException($"GEMV needs x of {w.Rows} and y of {w.Columns} (got {x.Length}, {y.Length})");
        }
        fixed (float* px = x, py = y, pw = w.Data)
        {
            nint xa = (nint)px, ya = (nint)py, wa = (nint)pw;
            int panels = w.Panels;
            if ((long)w.Rows * w.Columns <= InlineGemvElements)
            {
                for (int jp = 0; jp < panels; jp++)
                {
                    Panel((float*)xa, w, (float*)wa, jp, (float*)ya);
                }
                return;
            }
            int chunks = Math.Min(panels, Environment.ProcessorCount * 4);
            Parallel.For(0, chunks, c =>
            {
                int p0 = (int)((long)panels * c / chunks), p1 = (int)((long)panels * (c + 1) / chunks);
                for (int jp = p0; jp < p1; jp++)
                {
                    Panel((float*)xa, w, (float*)wa, jp, (float*)ya);
                }
            });
        }
    }

    private static unsafe void Panel(float* x, PackedWeights w, float* data, int jp, float* y)
    {
        const int nr = PackedWeights.Nr;
        var a0 = Vector512<float>.Zero;
        var a1 = Vector512<float>.Zero;
        var a2 = Vector512<float>.Zero;
        var a3 = Vector512<float>.Zero;
        for (int pc = 0; pc < w.Rows; pc += PackedWeights.Kc)
        {
            int kc = Math.Min(PackedWeights.Kc, w.Rows - pc);
            float* b = data + w.BlockOffset(pc, jp, kc);
            float* xs = x + pc;
            int p = 0;
            for (; p + 2 <= kc; p += 2)
            {
                var x0 = Vector512.Create(xs[p]);
                var x1 = Vector512.Create(xs[p + 1]);
                a0 = Vector512.FusedMultiplyAdd(x0, Vector512.Load(b), a0);
                a1 = Vector512.FusedMultiplyAdd(x0, Vector512.Load(b + 16), a1);
                a2 = Vector512.FusedMultiplyAdd(x1, Vector512.Load(b + nr), a2);
                a3 = Vector512.FusedMultiplyAdd(x1, Vector512.Load(b + nr + 16), a3);
                b += 2 * nr;
            }
            for (; p < kc; p++)
            {
                var x0 = Vector512.Create(xs[p]);
                a0 = Vector512.FusedMultiplyAdd(x0, Vector512.Load(b), a0);
                a1 = Vector512.FusedMultiplyAdd(x0, Vector512.Load(b + 16), a1);
                b += nr;
            }
        }
        int j0 = jp * nr, nj = Math.Min(nr, w.Columns - j0);
        Span<float> tmp = stackalloc float[nr];
        (a0 + a2).CopyTo(tmp);
        (a1 + a3).CopyTo(tmp[16..]);
        tmp[..nj].CopyTo(new Span<float>(y + j0, nj));
    }

    /// <summary>y = x / sqrt(mean(x^2) + eps) * w.</summary>
    public static void RmsNorm(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y, float eps = 1e-5f)
    {
        float ss = Dot(x, x);
        float inv = 1f / MathF.Sqrt((ss / x.Length) + eps);
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = x[i] * inv * w[i];
        }
    }

    /// <summary>SwiGLU: out[i] = silu(gu[i]) * gu[f + i] for the concatenated [gate | up] of width 2 f.</summary>
    public static void SwiGlu(ReadOnlySpan<float> gateUp, Span<float> y)
    {
        int f = gateUp.Length / 2;
        for (int i = 0; i < f; i++)
        {
            float g = gateUp[i];
            y[i] = g / (1f + MathF.Exp(-g)) * gateUp[f + i];
        }
    }

    /// <summary>y += x.</summary>
    public static void Add(ReadOnlySpan<float> x, Span<float> y)
    {
        int i = 0;
        for (; i + 16 <= x.Length; i += 16)
        {
            (Vector512.Create(x.Slice(i, 16)) + Vector512.Create(y.Slice(i, 16))).CopyTo(y.Slice(i, 16));
        }
        for (; i < x.Length; i++)
        {
            y[i] += x[i];
        }
    }

    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => FastCpu.Dot(a, b);

    /// <summary>y += alpha x.</summary>
    public static void Axpy(float alpha, ReadOnlySpan<float> x, Span<float> y) => FastCpu.Axpy(alpha, x, y);
}
