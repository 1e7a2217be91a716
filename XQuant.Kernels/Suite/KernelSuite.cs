using System.Diagnostics;
using XQuant.Kernels.Attention;
using XQuant.Kernels.Cache;
using XQuant.Kernels.Fast;
using XQuant.Kernels.Ilgpu;
using XQuant.Kernels.Ilgpu.Tiled;
using XQuant.Kernels.Metrics;
using XQuant.Kernels.Quantization;
using XQuant.Kernels.Reference;

namespace XQuant.Kernels.Suite;

/// <summary>
/// Runs every kernel once on seeded data of a <see cref="KernelShape"/>: the scalar reference defines the
/// answer, then the fast CPU path or an ILGPU device runs and is compared and timed. What `xqsim kernels`
/// prints, and the entry point for validation runs that need a small decode step.
/// </summary>
public sealed class KernelSuite
{
    private readonly KernelShape shape;
    private readonly int repeats;
    private readonly float[] x, wk, wv, wkv, q;
    private readonly AttentionShape attention;
    private readonly RopeTable rope;

    public KernelSuite(KernelShape shape, int repeats = 5, int seed = 20250814)
    {
        ArgumentNullException.ThrowIfNull(shape);
        this.shape = shape;
        this.repeats = Math.Max(1, repeats);
        var rng = new Random(seed);
        float[] Fill(int n, float scale)
        {
            var a = new float[n];
            for (int i = 0; i < n; i++)
            {
                a[i] = ((rng.NextSingle() * 2) - 1) * scale;
            }
            return a;
        }
        x = Fill(shape.Tokens * shape.HiddenSize, 1f);
        // A few outlier channels, as post-norm activations have.
        for (int t = 0; t < shape.Tokens; t++)
        {
            x[(t * shape.HiddenSize) + (7 % shape.HiddenSize)] *= 12f;
        }
        float ws = 1f / MathF.Sqrt(shape.HiddenSize);
        wk = Fill(shape.HiddenSize * shape.KvDim, ws);
        wv = Fill(shape.HiddenSize * shape.KvDim, ws);
        wkv = ScalarReference.JoinColumns(wk, wv, shape.HiddenSize, shape.KvDim);
        attention = new AttentionShape(shape.Heads, shape.KvHeads, shape.HeadDim).Validated();
        q = Fill(attention.QueryDim, 1f);
        rope = new RopeTable(shape.Tokens + 1, shape.HeadDim);
    }

    /// <summary>Checks every kernel on the fast CPU path (runner null) or on an ILGPU device.</summary>
    public IReadOnlyList<KernelCheck> Run(KernelRunner? runner)
    {
        string impl = runner is null ? "fast-cpu" : runner.Accelerator.AcceleratorType.ToString();
        int t = shape.Tokens, d = shape.HiddenSize, dkv = shape.KvDim, g = shape.GroupSize;
        var results = new List<KernelCheck>();
        var xSpec = new QuantSpec(4, Math.Min(g, d), QuantAxis.PerToken);
        var kSpec = new QuantSpec(2, g, QuantAxis.PerChannel);

        var xqRef = ScalarReference.Quantize(x, t, d, xSpec);
        var (xq, sec) = Time(() => runner is null ? FastCpu.Quantize(x, t, d, xSpec) : runner.Quantize(x, t, d, xSpec));
        results.Add(new KernelCheck("quantize X 4-bit per-token", impl, xqRef.BitEquals(xq), 0, 0, sec, xqRef.FirstDifference(xq) ?? ""));

        var kExact = ScalarReference.MatMul(x, wk, t, d, dkv);
        var vExact = ScalarReference.MatMul(x, wv, t, d, dkv);
        var kqRef = ScalarReference.Quantize(kExact, t, dkv, kSpec);
        var (kq, ksec) = Time(() => runner is null ? FastCpu.Quantize(kExact, t, dkv, kSpec) : runner.Quantize(kExact, t, dkv, kSpec));
        results.Add(new KernelCheck("quantize K 2-bit per-channel", impl, kqRef.BitEquals(kq), 0, 0, ksec, kqRef.FirstDifference(kq) ?? ""));

        var deqRef = ScalarReference.Dequantize(xqRef);
        var (deq, dsec) = Time(() => runner is null ? FastCpu.Dequantize(xqRef) : runner.Dequantize(xqRef));
        results.Add(Float("dequantize X", impl, deqRef, deq, dsec));

        var rematRef = ScalarReference.Remat(xqRef, wkv, 2 * dkv);
        var packed = new PackedWeights(wkv, d, 2 * dkv);
        var (remat, rsec) = Time(() => runner is null ? FastCpu.Remat(xqRef, packed) : runner.Remat(xqRef, wkv, 2 * dkv));
        results.Add(Float("remat [K|V] = deQ(X) [Wk|Wv] (fused dequant)", impl, rematRef, remat, rsec));

        var fp16Ref = ScalarReference.DecodeAttention(q, kExact, vExact, t, attention, rope);
        var (fp16, asec) = Time(() => runner is null ? FastCpu.DecodeAttention(q, kExact, vExact, t, attention, rope) : runner.DecodeAttention(q, kExact, vExact, t, attention, rope));
        results.Add(Float("attention, FP16 KV", impl, fp16Ref, fp16, asec));

        var vqRef = ScalarReference.Quantize(vExact, t, dkv, new QuantSpec(2, Math.Min(g, dkv), QuantAxis.PerToken));
        var quantRef = ScalarReference.AttentionQuantizedKv(q, kqRef, vqRef, attention, rope);
        var (quant, qsec) = Time(() => runner is null
            ? FastCpu.AttentionQuantizedKv(q, kqRef, vqRef, attention, rope)
            : runner.DecodeAttention(q, runner.Dequantize(kqRef), runner.Dequantize(vqRef), t, attention, rope));
        results.Add(Float("attention, 2-bit KV dequantized on the fly", impl, quantRef, quant, qsec, runner is null ? "" : "ILGPU: dequantize kernel, then attention kernel"));

        var rematAttnRef = ScalarReference.AttentionRemat(q, xqRef, wkv, attention, rope);
        var (ra, rasec) = Time(() =>
        {
            if (runner is null)
            {
                return FastCpu.AttentionRemat(q, xqRef, packed, attention, rope);
            }
            ScalarReference.SplitColumns(runner.Remat(xqRef, wkv, 2 * dkv), t, dkv, out var k, out var v);
            return runner.DecodeAttention(q, k, v, t, attention, rope);
        });
        results.Add(Float("attention, XQuant remat", impl, rematAttnRef, ra, rasec, runner is null ? "fused: K/V tiles never written out" : "ILGPU: unfused (remat kernel, then attention kernel)"));

        if (runner is not null)
        {
            // The GPU-shaped kernels (Ilgpu.Tiled) at the same shape, against the same references.
            var tiled = new TiledRunner(runner.Accelerator);
            var (txq, txsec) = Time(() => tiled.Quantize(x, t, d, xSpec));
            results.Add(new KernelCheck("quantize X 4-bit per-token (tiled)", impl, xqRef.BitEquals(txq), 0, 0, txsec, xqRef.FirstDifference(txq) ?? (TiledRunner.OnePass(xSpec) ? "one pass, 16-byte loads" : "stats + pack")));
            var (tkq, tksec) = Time(() => tiled.Quantize(kExact, t, dkv, kSpec));
            results.Add(new KernelCheck("quantize K 2-bit per-channel (tiled)", impl, kqRef.BitEquals(tkq), 0, 0, tksec, kqRef.FirstDifference(tkq) ?? (TiledRunner.OnePass(kSpec) ? "one pass, shared-memory tiles" : "stats + pack")));
            var (tr, trsec) = Time(() => tiled.Remat(xqRef, wkv, 2 * dkv));
            results.Add(Float("remat [K|V] (tiled, shared memory)", impl, rematRef, tr, trsec, "64x64 tiles, 4x4 per thread"));
            var (tva, tvasec) = Time(() => tiled.AttentionVAbsorbed(q, xqRef, wk, wv, attention, rope));
            results.Add(Float("attention, XQuant V-absorbed (tiled)", impl, rematAttnRef, tva, tvasec, "only K rematerialized; out = (p X^) Wv"));
        }
        if (runner is null)
        {
            var (ru, rusec) = Time(() => FastCpu.AttentionRematUnfused(q, xqRef, packed, attention, rope));
            results.Add(Float("attention, XQuant remat unfused", impl, rematAttnRef, ru, rusec, "full K/V written, then read"));
            var packedK = new PackedWeights(wk, d, dkv);
            var (va, vasec) = Time(() => FastCpu.AttentionVAbsorbed(q, xqRef, packedK, wv, attention, rope));
            results.Add(Float("attention, XQuant V-absorbed", impl, rematAttnRef, va, vasec, "only K rematerialized; out = (p X^) Wv"));
        }
        return results;
    }

    /// <summary>Error of KIVI* and XQuant against the FP16 path at 4 and 2 bits (computed on the fast CPU path).</summary>
    public IReadOnlyList<SchemeError> SchemeErrors()
    {
        int t = shape.Tokens, d = shape.HiddenSize, dkv = shape.KvDim, g = shape.GroupSize;
        var k = ScalarReference.MatMul(x, wk, t, d, dkv);
        var v = ScalarReference.MatMul(x, wv, t, d, dkv);
        var fp16 = ScalarReference.DecodeAttention(q, k, v, t, attention, rope);
        var list = new List<SchemeError>();
        foreach (int bits in new[] { 4, 2 })
        {
            var kivi = new KiviCache(dkv, bits, g);
            for (int i = 0; i < t; i++)
            {
                kivi.Append(k.AsSpan(i * dkv, dkv), v.AsSpan(i * dkv, dkv));
            }
            var kk = kivi.Keys();
            var vv = kivi.Values();
            list.Add(new SchemeError($"KIVI* {bits}-bit (window {kivi.WindowTokens} tokens)", ErrorMetrics.RelativeFrobenius(k, kk), ErrorMetrics.RelativeFrobenius(v, vv),
                ErrorMetrics.RelativeFrobenius(fp16, ScalarReference.DecodeAttention(q, kk, vv, t, attention, rope))));
            var xq = FastCpu.Quantize(x, t, d, new QuantSpec(bits, Math.Min(g, d), QuantAxis.PerToken));
            var kv = FastCpu.Remat(xq, new PackedWeights(wkv, d, 2 * dkv));
            ScalarReference.SplitColumns(kv, t, dkv, out var kx, out var vx);
            list.Add(new SchemeError($"XQuant {bits}-bit", ErrorMetrics.RelativeFrobenius(k, kx), ErrorMetrics.RelativeFrobenius(v, vx),
                ErrorMetrics.RelativeFrobenius(fp16, ScalarReference.DecodeAttention(q, kx, vx, t, attention, rope))));
        }
        return list;
    }

    private static KernelCheck Float(string kernel, string impl, float[] expected, float[] actual, double sec, string note = "") =>
        new(kernel, impl, null, ErrorMetrics.MaxAbs(expected, actual), ErrorMetrics.RelativeFrobenius(expected, actual), sec, note);

    /// <summary>One warm-up run (JIT, kernel compilation), then the median of the timed runs.</summary>
    private (T Result, double MedianSec) Time<T>(Func<T> run)
    {
        var result = run();
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            result = run();
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        Array.Sort(times);
        return (result, times[repeats / 2]);
    }
}
