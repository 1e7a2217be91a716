using XQuant.Kernels.Engine;
using XQuant.Sim.Studies.Measurement;

namespace XQuant.Sim.Studies.Accuracy;

/// <summary>Where the tokens come from: a fixed id sequence (teacher-forced, targets = next id) or samples of the FP16 model.</summary>
public sealed record TokenPlan(IReadOnlyList<int>? Ids, int Steps, int Seed, string Description)
{
    /// <summary>Ids read from a file or a tokenizer: step t feeds ids[t] and scores ids[t + 1].</summary>
    public static TokenPlan Fixed(IReadOnlyList<int> ids, string description) => new(ids, ids.Count, 0, description);

    /// <summary>Step t feeds the token sampled (seeded, temperature 1) from the FP16 model's distribution at step t - 1.</summary>
    public static TokenPlan SampledFromReference(int steps, int seed) => new(null, steps, seed, $"sampled from the FP16-cache model (seed {seed})");
}

/// <summary>
/// Runs the decode engine with the FP16 cache and every scheme in lockstep over the same tokens (teacher-forced: every
/// engine is fed the same token at every step, so each scheme's error compounds through its own quantized history, as in
/// real decoding), and compares what the scheme produces with what the FP16 cache produces.
/// </summary>
public static class AccuracyRunner
{
    public static AccuracyResult Run(EngineWeights weights, IReadOnlyList<EngineScheme> schemes, TokenPlan tokens, AccuracyOrigin origin, string modelId, string dataset, int vocab, int groupSize = 128)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(schemes);
        ArgumentNullException.ThrowIfNull(tokens);
        var c = weights.Config;
        int n = tokens.Steps;
        if (n < 2 || n > c.MaxContext)
        {
            throw new ArgumentException($"need 2 to {c.MaxContext} tokens (got {n})", nameof(tokens));
        }
        var refEngine = new DecodeEngine(weights, EngineScheme.Fp16) { Deterministic = true };
        var refProbe = new Recorder(c, n, keepX: true);
        refEngine.Probe = refProbe;
        var engines = schemes.Select(s => new DecodeEngine(weights, s) { Deterministic = true }).ToList();
        var probes = engines.Select(e => { var p = new Recorder(c, n, keepX: false); e.Probe = p; return p; }).ToList();
        var acc = schemes.Select(_ => new Accumulator(c.Layers)).ToList();
        var rng = new Random(tokens.Seed);
        double refNll = 0;
        int scored = 0;
        int token = tokens.Ids?[0] ?? rng.Next(vocab);
        var pRef = new double[vocab];
        var p = new double[vocab];
        for (int t = 0; t < n; t++)
        {
            bool last = t == n - 1;
            refProbe.WantsKv = last;
            probes.ForEach(pr => pr.WantsKv = last);
            var refLogits = refEngine.Step(token).Logits;
            Softmax(refLogits, vocab, pRef);
            int next = tokens.Ids is null ? Sample(pRef, rng) : (last ? -1 : tokens.Ids[t + 1]);
            if (next >= 0 && !last)
            {
                refNll -= Math.Log(Math.Max(pRef[next], 1e-300));
                scored++;
            }
            int refTop = ArgMax(pRef);
            for (int s = 0; s < engines.Count; s++)
            {
                var logits = engines[s].Step(token).Logits;
                Softmax(logits, vocab, p);
                var a = acc[s];
                for (int l = 0; l < c.Layers; l++)
                {
                    a.AttnNum[l] += SquaredDiff(probes[s].Attn[l], refProbe.Attn[l]);
                    a.AttnDen[l] += Squared(refProbe.Attn[l]);
                }
                a.HiddenNum += SquaredDiff(probes[s].Hidden, refProbe.Hidden);
                a.HiddenDen += Squared(refProbe.Hidden);
                a.Kl += Kl(pRef, p);
                a.Top1 += ArgMax(p) == refTop ? 1 : 0;
                if (next >= 0 && !last)
                {
                    a.Nll -= Math.Log(Math.Max(p[next], 1e-300));
                }
            }
            if (!last)
            {
                token = next;
            }
        }
        long refBytes = refEngine.CacheBytes;
        var results = new List<SchemeAccuracy>();
        for (int s = 0; s < engines.Count; s++)
        {
            var a = acc[s];
            var kPer = new double[c.Layers];
            var vPer = new double[c.Layers];
            double kn = 0, kd = 0, vn = 0, vd = 0;
            for (int l = 0; l < c.Layers; l++)
            {
                double kNum = SquaredDiff(probes[s].K[l], refProbe.K[l]), kDen = Squared(refProbe.K[l]);
                double vNum = SquaredDiff(probes[s].V[l], refProbe.V[l]), vDen = Squared(refProbe.V[l]);
                kPer[l] = Math.Sqrt(kNum / kDen);
                vPer[l] = Math.Sqrt(vNum / vDen);
                kn += kNum;
                kd += kDen;
                vn += vNum;
                vd += vDen;
            }
            var sc = schemes[s];
            results.Add(new SchemeAccuracy(
                sc.Name, Family(sc), sc.Bits, EngineModel.ToCacheScheme(sc).Spec.Replace(",rdtype=fp32", "", StringComparison.Ordinal),
                Math.Sqrt(kn / kd), Math.Sqrt(vn / vd), kPer, vPer,
                Enumerable.Range(0, c.Layers).Select(l => Math.Sqrt(a.AttnNum[l] / a.AttnDen[l])).ToList(),
                Math.Sqrt(a.HiddenNum / a.HiddenDen),
                a.Kl / n, a.Top1 / n,
                scored > 0 ? Math.Exp(a.Nll / scored) : double.NaN,
                engines[s].CacheBytes, engines[s].CacheBytes / (double)refBytes));
        }
        var findings = StructureFindings.Measure(weights, refProbe.X, n, groupSize, results);
        return new AccuracyResult(origin, modelId, dataset, tokens.Description, n, scored > 0 ? Math.Exp(refNll / scored) : double.NaN, refBytes, results, findings);
    }

    public static string Family(EngineScheme s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return s.Kind switch
        {
            EngineSchemeKind.Fp16 => "fp16",
            EngineSchemeKind.Kivi => "kivi",
            EngineSchemeKind.XQuant => "xquant",
            EngineSchemeKind.XQuantCl => "xquant-cl",
            EngineSchemeKind.XQuantClGqa => "xquant-cl-gqa",
            _ => "xquant-gqa",
        };
    }

    /// <summary>p = softmax(logits[0..vocab)) in double.</summary>
    public static void Softmax(ReadOnlySpan<float> logits, int vocab, Span<double> p)
    {
        double max = double.NegativeInfinity;
        for (int i = 0; i < vocab; i++)
        {
            max = Math.Max(max, logits[i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++)
        {
            p[i] = Math.Exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < vocab; i++)
        {
            p[i] /= sum;
        }
    }

    /// <summary>KL(p || q) in nats (terms with p = 0 contribute nothing).</summary>
    public static double Kl(ReadOnlySpan<double> p, ReadOnlySpan<double> q)
    {
        double kl = 0;
        for (int i = 0; i < p.Length; i++)
        {
            if (p[i] > 0)
            {
                kl += p[i] * (Math.Log(p[i]) - Math.Log(Math.Max(q[i], 1e-300)));
            }
        }
        return Math.Max(kl, 0);
    }

    private static int ArgMax(ReadOnlySpan<double> p)
    {
        int best = 0;
        for (int i = 1; i < p.Length; i++)
        {
            if (p[i] > p[best])
            {
                best = i;
            }
        }
        return best;
    }

    private static int Sample(ReadOnlySpan<double> p, Random rng)
    {
        double u = rng.NextDouble(), cum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            cum += p[i];
            if (u < cum)
            {
                return i;
            }
        }
        return p.Length - 1;
    }

    internal static double SquaredDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double e = a[i] - (double)b[i];
            s += e * e;
        }
        return s;
    }

    internal static double Squared(ReadOnlySpan<float> a)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * (double)a[i];
        }
        return s;
    }

    private sealed class Accumulator(int layers)
    {
        public double[] AttnNum { get; } = new double[layers];
        public double[] AttnDen { get; } = new double[layers];
        public double HiddenNum { get; set; }
        public double HiddenDen { get; set; }
        public double Kl { get; set; }
        public double Top1 { get; set; }
        public double Nll { get; set; }
    }

    /// <summary>Keeps the latest step's attention outputs and hidden state, X per layer (reference only) and the last step's K and V.</summary>
    private sealed class Recorder : IEngineProbe
    {
        private readonly int kvDim;
        private readonly int hidden;

        public Recorder(EngineConfig c, int steps, bool keepX)
        {
            kvDim = c.KvDim;
            hidden = c.HiddenSize;
            Attn = Enumerable.Range(0, c.Layers).Select(_ => new float[c.QDim]).ToArray();
            Hidden = new float[c.HiddenSize];
            K = Enumerable.Range(0, c.Layers).Select(_ => new float[steps * c.KvDim]).ToArray();
            V = Enumerable.Range(0, c.Layers).Select(_ => new float[steps * c.KvDim]).ToArray();
            X = keepX ? Enumerable.Range(0, c.Layers).Select(_ => new float[steps * c.HiddenSize]).ToArray() : [];
        }

        public bool WantsKv { get; set; }
        public float[][] Attn { get; }
        public float[] Hidden { get; }
        public float[][] K { get; }
        public float[][] V { get; }
        public float[][] X { get; }

        public void AttentionInput(int layer, int position, ReadOnlySpan<float> x)
        {
            if (X.Length > 0)
            {
                x.CopyTo(X[layer].AsSpan(position * hidden, hidden));
            }
        }

        public void AttentionOutput(int layer, int position, ReadOnlySpan<float> output) => output.CopyTo(Attn[layer]);

        public void FinalHidden(int position, ReadOnlySpan<float> h) => h.CopyTo(Hidden);

        public void KvTile(int layer, int t0, int n, ReadOnlySpan<float> keys, ReadOnlySpan<float> values)
        {
            keys.CopyTo(K[layer].AsSpan(t0 * kvDim, n * kvDim));
            values.CopyTo(V[layer].AsSpan(t0 * kvDim, n * kvDim));
        }
    }
}
