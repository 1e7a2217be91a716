using System.Collections.Concurrent;
using System.Diagnostics;
using XQuant.Kernels.Attention;
using XQuant.Kernels.Fast;
using XQuant.Kernels.Quantization;

namespace XQuant.Kernels.Engine;

/// <summary>
/// A real decode step of a small Llama-style model through the fast CPU kernels, with one cache scheme. Each op
/// is timed (summed over layers), and <see cref="CacheBytes"/> is what the caches hold: packed codes, fp16 scales
/// and zeros, fp16 rows and the XQuant-CL accumulator, counted for the tokens stored (buffers are preallocated to
/// the maximum context, as a paged allocator would hand out pages; only occupied rows count).
/// </summary>
public sealed class DecodeEngine
{
    private readonly EngineWeights weights;
    private readonly EngineConfig c;
    private readonly RopeTable rope;
    private readonly AttentionShape shape;
    private readonly Fp16Store[]? fp16;
    private readonly WindowedStore[]? kivi;
    private readonly RowStore[]? rows;
    private readonly ushort[]? accumulator;
    private readonly WindowedStore[]? latents;
    private readonly ConcurrentBag<TileBuffers> pool = [];
    private readonly double[] opSeconds = new double[EngineOps.All.Count];

    // Step buffers (a decode step allocates nothing but the logits).
    private readonly float[] x, h, q, k, v, attn, o, gu, act, delta;
    private readonly float[] lat = [], latAcc = [];

    public DecodeEngine(EngineWeights weights, EngineScheme scheme)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(scheme);
        this.weights = weights;
        Scheme = scheme;
        c = weights.Config;
        shape = c.Shape;
        rope = new RopeTable(c.MaxContext, c.HeadDim, c.RopeTheta, c.RopeScaling);
        int d = c.HiddenSize;
        switch (scheme.Kind)
        {
            case EngineSchemeKind.Fp16:
                fp16 = Enumerable.Range(0, c.Layers).Select(_ => new Fp16Store(c.KvDim, c.MaxContext)).ToArray();
                break;
            case EngineSchemeKind.Kivi:
                kivi = Enumerable.Range(0, c.Layers).Select(_ => new WindowedStore(c.KvDim, scheme.Bits, scheme.GroupSize, scheme.WindowTokens, fp16FirstChannel: false)).ToArray();
                break;
            case EngineSchemeKind.XQuant:
                rows = Enumerable.Range(0, c.Layers).Select(_ => new RowStore(d, new QuantSpec(scheme.Bits, scheme.GroupSize, QuantAxis.PerToken).Validated())).ToArray();
                break;
            case EngineSchemeKind.XQuantCl:
                if (scheme.BaseLayers < 1 || scheme.BaseLayers > c.Layers)
                {
                    throw new ArgumentException($"base layers must be 1 to {c.Layers} (got {scheme.BaseLayers})", nameof(scheme));
                }
                rows = Enumerable.Range(0, c.Layers).Select(i => new RowStore(d, new QuantSpec(i < scheme.BaseLayers ? scheme.BaseBits : scheme.Bits, scheme.GroupSize, QuantAxis.PerToken).Validated())).ToArray();
                accumulator = new ushort[(long)c.MaxContext * d];
                break;
            case EngineSchemeKind.XQuantClGqa:
                if (scheme.BaseLayers < 1 || scheme.BaseLayers > c.Layers)
                {
                    throw new ArgumentException($"base layers must be 1 to {c.Layers} (got {scheme.BaseLayers})", nameof(scheme));
                }
                if (2 * c.KvDim > d)
                {
                    throw new ArgumentException($"xquant-cl-gqa needs 2 kv_dim <= hidden (a GQA model); got 2 x {c.KvDim} > {d}", nameof(scheme));
                }
                rows = Enumerable.Range(0, c.Layers).Select(i => new RowStore(2 * c.KvDim, new QuantSpec(i < scheme.BaseLayers ? scheme.BaseBits : scheme.Bits, scheme.GroupSize, QuantAxis.PerToken).Validated())).ToArray();
                accumulator = new ushort[(long)c.MaxContext * d];
                lat = new float[2 * c.KvDim];
                latAcc = new float[2 * c.KvDim];
                foreach (var lw in weights.Layers)
                {
                    _ = lw.ClGqa;
                }
                break;
            case EngineSchemeKind.XQuantGqa:
                latents = Enumerable.Range(0, c.Layers).Select(_ => new WindowedStore(c.KvDim, scheme.Bits, scheme.GroupSize, scheme.WindowTokens, scheme.Fp16FirstChannel)).ToArray();
                foreach (var lw in weights.Layers)
                {
                    _ = lw.GqaSharded(scheme.SvdShards);
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(scheme));
        }
        x = new float[d];
        h = new float[d];
        q = new float[c.QDim];
        k = new float[c.KvDim];
        v = new float[c.KvDim];
        attn = new float[c.QDim];
        o = new float[d];
        gu = new float[2 * c.IntermediateSize];
        act = new float[c.IntermediateSize];
        delta = new float[d];
    }

    public EngineScheme Scheme { get; }

    public EngineConfig Config => c;

    /// <summary>Sees inside each step (accuracy measurements); null (the default) for timing runs.</summary>
    public IEngineProbe? Probe { get; set; }

    /// <summary>Attention tiles in order on one thread, so every run gives bit-identical logits (accuracy runs); off for timing.</summary>
    public bool Deterministic { get; set; }

    /// <summary>Cached tokens (the position of the next token).</summary>
    public int Tokens { get; private set; }

    /// <summary>Bytes the caches hold now (plus the XQuant-CL accumulator rows).</summary>
    public long CacheBytes => Scheme.Kind switch
    {
        EngineSchemeKind.Fp16 => fp16!.Sum(s => s.Bytes),
        EngineSchemeKind.Kivi => kivi!.Sum(s => s.Bytes),
        EngineSchemeKind.XQuant => rows!.Sum(s => s.Bytes),
        EngineSchemeKind.XQuantGqa => latents!.Sum(s => s.Bytes),
        _ => rows!.Sum(s => s.Bytes) + (2L * c.HiddenSize * Tokens),
    };

    /// <summary>
    /// Fills the caches with <paramref name="tokens"/> tokens of a synthetic history, the same for every scheme with
    /// the same seed: per layer, a residual stream that drifts layer to layer (r_i = r_(i-1) + noise, so cross-layer
    /// deltas are small, as in a real model), X_i = RMSNorm(r_i); K and V = X Wk, X Wv where a scheme stores them.
    /// Decoding is then timed over a full cache without running a prefill.
    /// </summary>
    public void FillSynthetic(int tokens, int seed = 7)
    {
        if (Tokens != 0 || tokens < 0 || tokens + 16 > c.MaxContext)
        {
            throw new InvalidOperationException($"fill needs an empty cache and tokens + 16 <= max context {c.MaxContext} (got {tokens})");
        }
        int d = c.HiddenSize, kvd = c.KvDim;
        var rng = new Random(seed);
        var r = new float[(long)tokens * d];
        for (long i = 0; i < r.LongLength; i++)
        {
            r[i] = (2 * rng.NextSingle()) - 1;
        }
        var xs = new float[(long)tokens * d];
        var row = new float[d];
        for (int layer = 0; layer < c.Layers; layer++)
        {
            var lw = weights.Layers[layer];
            for (long i = 0; i < r.LongLength; i++)
            {
                r[i] += 0.3f * ((2 * rng.NextSingle()) - 1);
            }
            for (int t = 0; t < tokens; t++)
            {
                EngineMath.RmsNorm(r.AsSpan(t * d, d), lw.AttnNorm, xs.AsSpan(t * d, d), weights.NormEps);
            }
            if (latents is not null)
            {
                var zk = FastCpu.MatMul(xs, tokens, lw.GqaSharded(Scheme.SvdShards).Uk);
                var zv = FastCpu.MatMul(xs, tokens, lw.GqaSharded(Scheme.SvdShards).Uv);
                for (int t = 0; t < tokens; t++)
                {
                    latents[layer].Append(zk.AsSpan(t * kvd, kvd), zv.AsSpan(t * kvd, kvd));
                }
                continue;
            }
            if (Scheme.Kind == EngineSchemeKind.XQuantClGqa)
            {
                FillLatentLayer(layer, lw, xs, tokens);
                continue;
            }
            if (fp16 is not null || kivi is not null)
            {
                var ks = FastCpu.MatMul(xs, tokens, lw.Wk);
                var vs = FastCpu.MatMul(xs, tokens, lw.Wv);
                for (int t = 0; t < tokens; t++)
                {
                    var kt = ks.AsSpan(t * kvd, kvd);
                    if (fp16 is not null)
                    {
                        rope.Apply(kt, t);
                        fp16[layer].Append(kt, vs.AsSpan(t * kvd, kvd));
                    }
                    else
                    {
                        kivi![layer].Append(kt, vs.AsSpan(t * kvd, kvd));
                    }
                }
                continue;
            }
            for (int t = 0; t < tokens; t++)
            {
                xs.AsSpan(t * d, d).CopyTo(row);
                AppendX(layer, row, t);
                if (accumulator is not null && layer == Scheme.BaseLayers - 1)
                {
                    rows![layer].Dequantize(t, 1, row);
                    HalfVector.FromFloat(row, accumulator.AsSpan(t * d, d));
                }
                else if (accumulator is not null && layer >= Scheme.BaseLayers)
                {
                    AccumulateRow(layer, t, row);
                }
            }
        }
        Tokens = tokens;
    }

    /// <summary>XQuant-CL-GQA fill of one layer: the same latents, deltas and accumulator updates a decode would make.</summary>
    private void FillLatentLayer(int layer, LayerWeights lw, float[] xs, int tokens)
    {
        var f = lw.ClGqa;
        int d = c.HiddenSize, w = 2 * c.KvDim;
        var z = FastCpu.MatMul(xs, tokens, f.Ukv);
        var zrow = new float[w];
        var tmp = new float[w];
        var accf = new float[d];
        var up = new float[d];
        for (int t = 0; t < tokens; t++)
        {
            var accRow = accumulator.AsSpan(t * d, d);
            z.AsSpan(t * w, w).CopyTo(zrow);
            if (layer >= Scheme.BaseLayers)
            {
                HalfVector.ToFloat(accRow, accf);
                EngineMath.Gemv(accf, f.Ukv, tmp);
                for (int i = 0; i < w; i++)
                {
                    zrow[i] -= tmp[i];
                }
            }
            rows![layer].Append(zrow);
            if (layer >= Scheme.BaseLayers - 1)
            {
                rows[layer].Dequantize(t, 1, tmp);
                EngineMath.Gemv(tmp, f.UkvT, up);
                if (layer >= Scheme.BaseLayers)
                {
                    EngineMath.Add(accf, up);
                }
                HalfVector.FromFloat(up, accRow);
            }
        }
    }

    /// <summary>XQuant-CL-GQA: stores X Ukv (base layers) or (X - X^_(i-1)) Ukv (delta layers) for the new token.</summary>
    private void AppendLatent(int layer, ClGqaFactors f, int pos)
    {
        EngineMath.Gemv(h, f.Ukv, lat);
        if (layer >= Scheme.BaseLayers)
        {
            int d = c.HiddenSize;
            HalfVector.ToFloat(accumulator.AsSpan(pos * d, d), delta);
            EngineMath.Gemv(delta, f.Ukv, latAcc);
            for (int i = 0; i < lat.Length; i++)
            {
                lat[i] -= latAcc[i];
            }
        }
        rows![layer].Append(lat);
    }

    /// <summary>Stores X (base layers) or X minus the accumulator row (delta layers) for token t.</summary>
    private void AppendX(int layer, float[] xrow, int t)
    {
        if (accumulator is null || layer < Scheme.BaseLayers)
        {
            rows![layer].Append(xrow);
            return;
        }
        int d = c.HiddenSize;
        HalfVector.ToFloat(accumulator.AsSpan(t * d, d), delta);
        for (int i = 0; i < d; i++)
        {
            delta[i] = xrow[i] - delta[i];
        }
        rows![layer].Append(delta);
    }

    /// <summary>acc[t] = fp16(acc[t] + deQ(dX[t])), the same arithmetic the attention producer does per tile.</summary>
    private void AccumulateRow(int layer, int t, float[] scratch)
    {
        int d = c.HiddenSize;
        rows![layer].Dequantize(t, 1, scratch);
        var accRow = accumulator.AsSpan(t * d, d);
        var cur = new float[d];
        HalfVector.ToFloat(accRow, cur);
        for (int i = 0; i < d; i++)
        {
            cur[i] += scratch[i];
        }
        HalfVector.FromFloat(cur, accRow);
    }

    /// <summary>Runs one decode step for <paramref name="token"/> at position <see cref="Tokens"/>; returns logits and timings.</summary>
    public StepResult Step(int token)
    {
        if (Tokens + 1 > c.MaxContext)
        {
            throw new InvalidOperationException($"context {Tokens + 1} exceeds the maximum {c.MaxContext}");
        }
        Array.Clear(opSeconds);
        int d = c.HiddenSize, pos = Tokens;
        long stepStart = Stopwatch.GetTimestamp();
        long t0 = stepStart;
        weights.Embedding.AsSpan((token % c.VocabSize) * d, d).CopyTo(x);
        t0 = Lap(EngineOp.Embedding, t0);
        for (int layer = 0; layer < c.Layers; layer++)
        {
            var lw = weights.Layers[layer];
            EngineMath.RmsNorm(x, lw.AttnNorm, h, weights.NormEps);
            t0 = Lap(EngineOp.AttnNorm, t0);
            Probe?.AttentionInput(layer, pos, h);
            EngineMath.Gemv(h, lw.Wq, q);
            t0 = Lap(EngineOp.QProj, t0);
            rope.Apply(q, pos);
            t0 = Lap(EngineOp.RopeQ, t0);
            EngineAttention.TileProducer producer;
            if (fp16 is not null || kivi is not null)
            {
                EngineMath.Gemv(h, lw.Wk, k);
                t0 = Lap(EngineOp.KProj, t0);
                EngineMath.Gemv(h, lw.Wv, v);
                t0 = Lap(EngineOp.VProj, t0);
                if (fp16 is not null)
                {
                    rope.Apply(k, pos);
                    t0 = Lap(EngineOp.RopeK, t0);
                    fp16[layer].Append(k, v);
                    producer = Fp16Producer(fp16[layer]);
                }
                else
                {
                    kivi![layer].Append(k, v);
                    producer = KiviProducer(kivi[layer]);
                }
            }
            else if (latents is not null)
            {
                EngineMath.Gemv(h, lw.GqaSharded(Scheme.SvdShards).Uk, k);
                t0 = Lap(EngineOp.KProj, t0);
                EngineMath.Gemv(h, lw.GqaSharded(Scheme.SvdShards).Uv, v);
                t0 = Lap(EngineOp.VProj, t0);
                latents[layer].Append(k, v);
                producer = LatentProducer(latents[layer], lw.GqaSharded(Scheme.SvdShards));
            }
            else if (Scheme.Kind == EngineSchemeKind.XQuantClGqa)
            {
                AppendLatent(layer, lw.ClGqa, pos);
                t0 = Lap(EngineOp.KProj, t0);
                producer = ClGqaProducer(layer, lw);
            }
            else
            {
                AppendX(layer, h, pos);
                producer = RematProducer(layer, lw);
            }
            t0 = Lap(EngineOp.CacheWrite, t0);
            if (Probe is { WantsKv: true } probe)
            {
                var inner = producer;
                int li = layer, kvd = c.KvDim;
                producer = (t0, n, b) =>
                {
                    inner(t0, n, b);
                    probe.KvTile(li, t0, n, b.K.AsSpan(0, n * kvd), b.V.AsSpan(0, n * kvd));
                };
            }
            EngineAttention.Run(q, pos + 1, shape, pool, () => new TileBuffers(c), producer, attn, Deterministic);
            t0 = Lap(EngineOp.Attention, t0);
            Probe?.AttentionOutput(layer, pos, attn);
            EngineMath.Gemv(attn, lw.Wo, o);
            t0 = Lap(EngineOp.OProj, t0);
            EngineMath.Add(o, x);
            t0 = Lap(EngineOp.ResidualAdd, t0);
            EngineMath.RmsNorm(x, lw.FfnNorm, h, weights.NormEps);
            t0 = Lap(EngineOp.FfnNorm, t0);
            EngineMath.Gemv(h, lw.GateUp, gu);
            t0 = Lap(EngineOp.FfnGateUp, t0);
            EngineMath.SwiGlu(gu, act);
            t0 = Lap(EngineOp.FfnAct, t0);
            EngineMath.Gemv(act, lw.Down, o);
            t0 = Lap(EngineOp.FfnDown, t0);
            EngineMath.Add(o, x);
            t0 = Lap(EngineOp.ResidualAdd, t0);
        }
        EngineMath.RmsNorm(x, weights.FinalNorm, h, weights.NormEps);
        t0 = Lap(EngineOp.FinalNorm, t0);
        Probe?.FinalHidden(pos, h);
        var logits = new float[c.VocabSize];
        EngineMath.Gemv(h, weights.LmHead, logits);
        t0 = Lap(EngineOp.LmHead, t0);
        Tokens++;
        double step = Stopwatch.GetElapsedTime(stepStart, t0).TotalSeconds;
        return new StepResult(logits, opSeconds.ToArray(), step, pos, CacheBytes);
    }

    private long Lap(EngineOp op, long since)
    {
        long now = Stopwatch.GetTimestamp();
        opSeconds[(int)op] += (now - since) / (double)Stopwatch.Frequency;
        return now;
    }

    private EngineAttention.TileProducer Fp16Producer(Fp16Store store) => (t0, n, b) =>
        store.Read(t0, n, b.K.AsSpan(0, n * c.KvDim), b.V.AsSpan(0, n * c.KvDim));

    private EngineAttention.TileProducer KiviProducer(WindowedStore store) => (t0, n, b) =>
    {
        store.Read(t0, n, b.K.AsSpan(0, n * c.KvDim), b.V.AsSpan(0, n * c.KvDim));
        RotateKeys(b.K, t0, n);
    };

    /// <summary>
    /// XQuant / XQuant-CL per tile: X^ rows (dequantized, or for CL delta layers accumulator + deQ(delta), written
    /// back to the fp16 accumulator), one blocked GEMM through [Wk | Wv], split, rotate keys.
    /// </summary>
    private EngineAttention.TileProducer RematProducer(int layer, LayerWeights lw)
    {
        var store = rows![layer];
        int d = c.HiddenSize, kvd = c.KvDim;
        bool cl = accumulator is not null;
        bool seeds = cl && layer == Scheme.BaseLayers - 1;
        bool deltaLayer = cl && layer >= Scheme.BaseLayers;
        return (t0, n, b) =>
        {
            if (!cl)
            {
                var (chunk, within) = store.Locate(t0);
                Gemm.MultiplyRows(FastCpu.Dequantizing(chunk, within), 0, n, lw.Wkv, b.Kv);
            }
            else
            {
                var xt = b.X.AsSpan(0, n * d);
                store.Dequantize(t0, n, xt);
                var accRows = accumulator.AsSpan(t0 * d, n * d);
                if (deltaLayer)
                {
                    var prev = b.K.Length >= n * d ? b.K.AsSpan(0, n * d) : new float[n * d];
                    HalfVector.ToFloat(accRows, prev);
                    EngineMath.Add(prev, xt);
                }
                if (seeds || deltaLayer)
                {
                    HalfVector.FromFloat(xt, accRows);
                }
                Gemm.MultiplyRows(FastCpu.Dense(b.X, d), 0, n, lw.Wkv, b.Kv);
            }
            for (int r = 0; r < n; r++)
            {
                b.Kv.AsSpan(r * 2 * kvd, kvd).CopyTo(b.K.AsSpan(r * kvd, kvd));
                b.Kv.AsSpan((r * 2 * kvd) + kvd, kvd).CopyTo(b.V.AsSpan(r * kvd, kvd));
            }
            RotateKeys(b.K, t0, n);
        };
    }

    /// <summary>
    /// XQuant-CL-GQA per tile: base layers K|V = L^ (S B^T) from the dequantized latents (the last base layer seeds the
    /// accumulator with L^ Ukv^T); delta layers X^ = acc + deQ(dL) Ukv^T (written back in fp16), K|V = X^ Wkv.
    /// </summary>
    private EngineAttention.TileProducer ClGqaProducer(int layer, LayerWeights lw)
    {
        var store = rows![layer];
        var f = lw.ClGqa;
        int d = c.HiddenSize, kvd = c.KvDim, w = 2 * kvd;
        bool seeds = layer == Scheme.BaseLayers - 1;
        bool deltaLayer = layer >= Scheme.BaseLayers;
        return (t0, n, b) =>
        {
            var accRows = accumulator.AsSpan(t0 * d, n * d);
            if (!deltaLayer)
            {
                store.Dequantize(t0, n, b.X.AsSpan(0, n * w));
                Gemm.MultiplyRows(FastCpu.Dense(b.X, w), 0, n, f.Fused, b.Kv);
                if (seeds)
                {
                    Gemm.MultiplyRows(FastCpu.Dense(b.X, w), 0, n, f.UkvT, b.Wide);
                    HalfVector.FromFloat(b.Wide.AsSpan(0, n * d), accRows);
                }
            }
            else
            {
                store.Dequantize(t0, n, b.Kv.AsSpan(0, n * w));
                Gemm.MultiplyRows(FastCpu.Dense(b.Kv, w), 0, n, f.UkvT, b.Wide);
                var xt = b.X.AsSpan(0, n * d);
                HalfVector.ToFloat(accRows, xt);
                EngineMath.Add(b.Wide.AsSpan(0, n * d), xt);
                HalfVector.FromFloat(xt, accRows);
                Gemm.MultiplyRows(FastCpu.Dense(b.X, d), 0, n, lw.Wkv, b.Kv);
            }
            for (int r = 0; r < n; r++)
            {
                b.Kv.AsSpan(r * w, kvd).CopyTo(b.K.AsSpan(r * kvd, kvd));
                b.Kv.AsSpan((r * w) + kvd, kvd).CopyTo(b.V.AsSpan(r * kvd, kvd));
            }
            RotateKeys(b.K, t0, n);
        };
    }

    /// <summary>XQuant-GQA per tile: latents (dequantized or fp16 window), K = Zk (Sk Bk^T), V = Zv (Sv Bv^T), rotate keys.</summary>
    private EngineAttention.TileProducer LatentProducer(WindowedStore store, GqaFactors f)
    {
        int kvd = c.KvDim;
        return (t0, n, b) =>
        {
            store.Read(t0, n, b.K.AsSpan(0, n * kvd), b.V.AsSpan(0, n * kvd));
            Gemm.MultiplyRows(FastCpu.Dense(b.K, kvd), 0, n, f.FusedK, b.Kv);
            Gemm.MultiplyRows(FastCpu.Dense(b.V, kvd), 0, n, f.FusedV, b.X);
            b.Kv.AsSpan(0, n * kvd).CopyTo(b.K);
            b.X.AsSpan(0, n * kvd).CopyTo(b.V);
            RotateKeys(b.K, t0, n);
        };
    }

    private void RotateKeys(float[] keys, int t0, int n)
    {
        int kvd = c.KvDim;
        for (int r = 0; r < n; r++)
        {
            rope.Apply(keys.AsSpan(r * kvd, kvd), t0 + r);
        }
    }
}
