using XQuant.Kernels.Attention;
using XQuant.Kernels.Fast;
using XQuant.Kernels.Quantization;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Studies.Measurement;

/// <summary>
/// One real fast-CPU kernel at one shape, ready to run, with the ledger the cost model charges for it (fp32 data,
/// the CPU's compute type; every byte from DRAM, since runs are timed after a cache flush). Fused kernels list one
/// op per ledger entry (e.g. fused remat attention: x_dequant, remat_k, remat_v, rope_k, attn_scores, softmax,
/// attn_output) and count one dispatch.
/// </summary>
public sealed record KernelCase(string Kernel, string Class, string Shape, Action Run, IReadOnlyList<OpCost> Ops, int Dispatches = 1)
{
    public double Flops => Ops.Sum(o => o.Flops);

    public double DramBytes => Ops.Sum(o => o.DramBytes);

    /// <summary>Roofline time: sum over ops of max(compute, memory), plus the dispatches' fixed latency.</summary>
    public double Predict(HardwareProfile hw) => Ops.Sum(o => Bound(o, hw)) + (Dispatches * (hw.KernelLaunchLatencySec ?? 0));

    public static double Bound(OpCost op, HardwareProfile hw)
    {
        var t = Roofline.Time(op, hw);
        return Math.Max(t.ComputeSec, t.MemorySec);
    }
}

/// <summary>Builds <see cref="KernelCase"/>s for the kernel classes: quantize, dequantize, remat GEMM, attention variants, RoPE.</summary>
public static class KernelBench
{
    private const double F32 = 4.0;

    private static OpCost Op(string name, OpKind kind, double flops, params (TensorClass C, double Bytes)[] bytes)
    {
        var op = new OpDraft(name, kind, flops, DType.Fp32);
        foreach (var (c, b) in bytes)
        {
            op.AddBytes(c, b);
        }
        return op.Build(0);
    }

    /// <summary>Seeded uniform values in [-1, 1): the inputs of every case, the same on every backend.</summary>
    internal static float[] Random(long n, int seed)
    {
        var rng = new Random(seed);
        var a = new float[n];
        for (long i = 0; i < n; i++)
        {
            a[i] = (2 * rng.NextSingle()) - 1;
        }
        return a;
    }

    private static (double Packed, double Meta) Stored(int rows, int width, QuantSpec spec) =>
        ((double)rows * QuantSpec.RowBytes(width, spec.Bits), 4.0 * spec.GroupCount(rows, width));

    public static KernelCase Quantize(int tokens, int width, int bits, QuantAxis axis, int g = 128)
    {
        var spec = new QuantSpec(bits, g, axis).Validated();
        var x = Random((long)tokens * width, 1);
        var q = QuantizedMatrix.Allocate(tokens, width, spec);
        return QuantizeCase(tokens, width, spec, () => FastCpu.QuantizeInto(x, q));
    }

    /// <summary>The quantize case (name, shape, ledger) with the run action of any backend.</summary>
    public static KernelCase QuantizeCase(int tokens, int width, QuantSpec spec, Action run, int dispatches = 1)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var (packed, meta) = Stored(tokens, width, spec);
        return new KernelCase("quantize", "quantize", $"{tokens}x{width} {spec.Bits}b {(spec.Axis == QuantAxis.PerToken ? "tok" : "ch")}",
            run,
            [Op("quantize", OpKind.Quantize, 5.0 * tokens * width, (TensorClass.ActivationsRead, tokens * (double)width * F32), (TensorClass.XCacheWritten, packed), (TensorClass.Metadata, meta)).AsVariant(spec.Axis == QuantAxis.PerChannel ? "per_channel" : null)],
            dispatches);
    }

    public static KernelCase Dequantize(int tokens, int width, int bits, int g = 128)
    {
        var spec = new QuantSpec(bits, g, QuantAxis.PerToken).Validated();
        var q = FastCpu.Quantize(Random((long)tokens * width, 2), tokens, width, spec);
        var y = new float[(long)tokens * width];
        int chunks = Environment.ProcessorCount * 4;
        return DequantizeCase(tokens, width, spec,
            () => Parallel.For(0, chunks, c =>
            {
                int r0 = (int)((long)tokens * c / chunks), r1 = (int)((long)tokens * (c + 1) / chunks);
                FastCpu.DequantizeRows(q, r0, r1 - r0, y.AsSpan(r0 * width, (r1 - r0) * width));
            }));
    }

    /// <summary>The dequantize case (name, shape, ledger) with the run action of any backend.</summary>
    public static KernelCase DequantizeCase(int tokens, int width, QuantSpec spec, Action run, int dispatches = 1)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var (packed, meta) = Stored(tokens, width, spec);
        return new KernelCase("dequantize", "dequantize", $"{tokens}x{width} {spec.Bits}b",
            run,
            [Op("dequantize", OpKind.Dequantize, 2.0 * tokens * width, (TensorClass.XCacheRead, packed), (TensorClass.Metadata, meta), (TensorClass.ActivationsWritten, tokens * (double)width * F32))],
            dispatches);
    }

    public static KernelCase Remat(int tokens, int d, int n, int bits, int g = 128)
    {
        var spec = new QuantSpec(bits, g, QuantAxis.PerToken).Validated();
        var q = FastCpu.Quantize(Random((long)tokens * d, 3), tokens, d, spec);
        var w = new PackedWeights(Random((long)d * n, 4), d, n);
        var c = new float[(long)tokens * n];
        return RematCase(tokens, d, n, spec, () => FastCpu.RematInto(q, w, c));
    }

    /// <summary>The fused remat case deQ(X) W (name, shape, ledger) with the run action of any backend.</summary>
    public static KernelCase RematCase(int tokens, int d, int n, QuantSpec spec, Action run, int dispatches = 1)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var (packed, meta) = Stored(tokens, d, spec);
        return new KernelCase("remat", "remat", $"{tokens}x{d}x{n} {spec.Bits}b",
            run,
            [
                Op("x_dequant", OpKind.Dequantize, 2.0 * tokens * d, (TensorClass.XCacheRead, packed), (TensorClass.Metadata, meta)).AsVariant("fused"),
                Op("remat", OpKind.Remat, 2.0 * tokens * d * n, (TensorClass.Weights, (double)d * n * F32), (TensorClass.ActivationsWritten, tokens * (double)n * F32)),
            ],
            dispatches);
    }

    /// <summary>RoPE over tokens x width rows in parallel chunks: the elementwise calibration kernel.</summary>
    public static KernelCase Rope(int tokens, int width, int headDim)
    {
        var x = Random((long)tokens * width, 5);
        var rope = new RopeTable(tokens, headDim);
        int chunks = Environment.ProcessorCount * 4;
        return new KernelCase("rope", "elementwise", $"{tokens}x{width} hd{headDim}",
            () => Parallel.For(0, chunks, c =>
            {
                int r0 = (int)((long)tokens * c / chunks), r1 = (int)((long)tokens * (c + 1) / chunks);
                for (int r = r0; r < r1; r++)
                {
                    rope.Apply(x.AsSpan(r * width, width), r);
                }
            }),
            [Op("rope", OpKind.Elementwise, 3.0 * tokens * width, (TensorClass.ActivationsRead, tokens * (double)width * F32), (TensorClass.ActivationsWritten, tokens * (double)width * F32))]);
    }

    /// <summary>Scores, softmax and output over N tokens (keys rotated per tile, as every kernel here stores pre-RoPE keys).</summary>
    private static List<OpCost> AttentionOps(int tokens, AttentionShape s, double kBytes, double vBytes)
    {
        string? variant = AttentionVariant(null, s);
        return
        [
            Op("rope_k", OpKind.Elementwise, 3.0 * tokens * s.KvDim),
            Op("attn_scores", OpKind.Attention, 2.0 * s.Heads * s.HeadDim * tokens, (TensorClass.ActivationsRead, s.QueryDim * F32), (TensorClass.KvCacheRead, kBytes)).AsVariant(variant),
            Op("softmax", OpKind.Elementwise, 5.0 * s.Heads * tokens),
            Op("attn_output", OpKind.Attention, 2.0 * s.Heads * s.HeadDim * tokens, (TensorClass.KvCacheRead, vBytes), (TensorClass.ActivationsWritten, s.QueryDim * F32)).AsVariant(variant),
        ];
    }

    /// <summary>The attention GEMVs' variant, as the ledger tags them (grouped KV heads add "gqa").</summary>
    private static string? AttentionVariant(string? variant, AttentionShape s) => Domain.CostModel.CacheOps.AttentionOps.GroupedVariant(variant, s.Heads > s.KvHeads);

    public static KernelCase AttentionFloat(int tokens, int heads, int kvHeads, int headDim)
    {
        var s = new AttentionShape(heads, kvHeads, headDim).Validated();
        var q = Random(s.QueryDim, 6);
        var k = Random((long)tokens * s.KvDim, 7);
        var v = Random((long)tokens * s.KvDim, 8);
        var rope = new RopeTable(tokens, headDim);
        return AttentionFloatCase(tokens, s, () => FastCpu.DecodeAttention(q, k, v, tokens, s, rope));
    }

    /// <summary>The decode-attention case over fp32 K/V (name, shape, ledger) with the run action of any backend.</summary>
    public static KernelCase AttentionFloatCase(int tokens, AttentionShape s, Action run, int dispatches = 1)
    {
        ArgumentNullException.ThrowIfNull(s);
        double kv = tokens * (double)s.KvDim * F32;
        return new KernelCase("attention_fp32", "attention", $"N={tokens} H={s.Heads}/{s.KvHeads} hd={s.HeadDim}", run, AttentionOps(tokens, s, kv, kv), dispatches);
    }

    /// <summary>
    /// The engine's attention over an FP16 KV cache (keys stored after RoPE, widened to fp32 per tile): the FP16
    /// K and V reads are charged to the attention GEMVs, rated as the fp16_kv variant.
    /// </summary>
    public static KernelCase AttentionFp16(int tokens, int heads, int kvHeads, int headDim)
    {
        var s = new AttentionShape(heads, kvHeads, headDim).Validated();
        var kernel = new XQuant.Kernels.Engine.Fp16CacheAttention(tokens, heads, kvHeads, headDim, seed: 15);
        var q = Random(s.QueryDim, 16);
        double kv = tokens * (double)s.KvDim * 2;
        return new KernelCase("attention_fp16", "attention", $"N={tokens} H={heads}/{kvHeads} hd={headDim} fp16 K/V",
            () => kernel.Run(q),
            [
                Op("attn_scores", OpKind.Attention, 2.0 * s.Heads * s.HeadDim * tokens, (TensorClass.ActivationsRead, s.QueryDim * F32), (TensorClass.KvCacheRead, kv)).AsVariant(AttentionVariant("fp16_kv", s)),
                Op("softmax", OpKind.Elementwise, 5.0 * s.Heads * tokens),
                Op("attn_output", OpKind.Attention, 2.0 * s.Heads * s.HeadDim * tokens, (TensorClass.KvCacheRead, kv), (TensorClass.ActivationsWritten, s.QueryDim * F32)).AsVariant(AttentionVariant("fp16_kv", s)),
            ]);
    }

    public static KernelCase AttentionKivi(int tokens, int heads, int kvHeads, int headDim, int bits, int g = 128)
    {
        var s = new AttentionShape(heads, kvHeads, headDim).Validated();
        var ks = new QuantSpec(bits, g, QuantAxis.PerChannel).Validated();
        var vs = new QuantSpec(bits, g, QuantAxis.PerToken).Validated();
        var q = Random(s.QueryDim, 9);
        var kq = FastCpu.Quantize(Random((long)tokens * s.KvDim, 10), tokens, s.KvDim, ks);
        var vq = FastCpu.Quantize(Random((long)tokens * s.KvDim, 11), tokens, s.KvDim, vs);
        var rope = new RopeTable(tokens, headDim);
        var (kp, km) = Stored(tokens, s.KvDim, ks);
        var (vp, vm) = Stored(tokens, s.KvDim, vs);
        var ops = new List<OpCost> { Op("kv_dequant", OpKind.Dequantize, 2.0 * 2 * tokens * s.KvDim, (TensorClass.KvCacheRead, kp + vp), (TensorClass.Metadata, km + vm)).AsVariant("fused") };
        ops.AddRange(AttentionOps(tokens, s, 0, 0));
        return new KernelCase("attention_kivi", "attention", $"N={tokens} H={heads}/{kvHeads} hd={headDim} {bits}b",
            () => FastCpu.AttentionQuantizedKv(q, kq, vq, s, rope), ops);
    }

    public static KernelCase AttentionRemat(int tokens, int d, int heads, int kvHeads, int headDim, int bits, int g = 128)
    {
        var s = new AttentionShape(heads, kvHeads, headDim).Validated();
        var spec = new QuantSpec(bits, g, QuantAxis.PerToken).Validated();
        var q = Random(s.QueryDim, 12);
        var xq = FastCpu.Quantize(Random((long)tokens * d, 13), tokens, d, spec);
        var wkv = new PackedWeights(Random((long)d * 2 * s.KvDim, 14), d, 2 * s.KvDim);
        var rope = new RopeTable(tokens, headDim);
        var (packed, meta) = Stored(tokens, d, spec);
        var ops = new List<OpCost>
        {
            Op("x_dequant", OpKind.Dequantize, 2.0 * tokens * d, (TensorClass.XCacheRead, packed), (TensorClass.Metadata, meta)).AsVariant("fused"),
            Op("remat_k", OpKind.Remat, 2.0 * tokens * d * s.KvDim, (TensorClass.Weights, (double)d * s.KvDim * F32)),
            Op("remat_v", OpKind.Remat, 2.0 * tokens * d * s.KvDim, (TensorClass.Weights, (double)d * s.KvDim * F32)),
        };
        ops.AddRange(AttentionOps(tokens, s, 0, 0));
        return new KernelCase("attention_remat", "attention", $"N={tokens} d={d} H={heads}/{kvHeads} hd={headDim} {bits}b",
            () => FastCpu.AttentionRemat(q, xq, wkv, s, rope), ops);
    }
}
