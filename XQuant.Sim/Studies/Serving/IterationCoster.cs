using System.Numerics;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;

namespace XQuant.Sim.Studies.Serving;

/// <summary>
/// Times one serving iteration from the existing ledger, without a second timing model: every sequence in the
/// iteration is costed as its own batch-1 ledger (a decode step at its own context, or a prefill chunk), and the
/// per-sequence ledgers are combined op by op. An op's weights are streamed once per iteration (the batch shares
/// one pass over each matrix); everything else (FLOPs, activations, cache and metadata traffic, rematerialization)
/// is summed over the sequences. Each combined op is then timed with the same roofline as
/// <see cref="Roofline.Time"/>: max(FLOPs / rate, DRAM bytes / bandwidth + on-chip bytes / on-chip bandwidth) plus
/// launches x latency, and the iteration takes the overlapped or serial step form.
/// </summary>
/// <remarks>
/// Communication ops (tensor/pipeline parallelism) carry no FLOPs or bytes, only link time, which is linear in the
/// bytes sent: a latency term (alpha x ring steps, the same for one sequence or many) and a bandwidth term (the bytes
/// of every sequence's activations). A link slot therefore keeps its bandwidth seconds in the summed FLOPs column and
/// its latency seconds in the max-combined weights column, so an iteration pays one collective per layer over all its
/// tokens, as the ledger at that batch does. The latency part of each op is read off the same ledger built with an
/// infinitely fast link. Every layer of every stage is in the ledger (stages in sequence), so the iteration time is
/// the decode latency summed over stages; the pipelined step over micro-batches is <see cref="PipelinedSec"/>.
/// Ops are keyed by name, kind, dtype and variant, so a decode op and a prefill op that share a name but run at
/// different calibrated rates stay apart. Whether an op's weight bytes are shared by the batch is read off the
/// ledger itself (batch 2 vs batch 1), so the embedding lookup, whose rows scale with tokens, is summed. Transient
/// bytes are placed on chip when one layer's share of the combined op fits, as <see cref="OpDraft.Build"/> does for a
/// uniform batch. Per-sequence vectors are memoized by context, so the exact ledger is built once per context
/// length, never per iteration.
/// Under speculation (a template with k &gt; 0) a decoding sequence is costed by <see cref="Verify"/>, the verify
/// ledger; the drafter gets a coster of its own (<see cref="ForDrafter"/>), so its ops never share the target's slots.
/// </remarks>
public sealed class IterationCoster
{
    // Summed columns per op slot: FLOPs, persistent DRAM bytes (cache, metadata, unshared weights), then the four
    // transient classes whose placement depends on the combined size. A routed-expert slot, which reads nothing
    // persistent but its weights, holds its routed tokens in the persistent column instead (see RoutedExpertOps).
    private const int SumStride = 6;

    // Max-combined columns per op slot: shared weight bytes, kernel launches.
    private const int MaxStride = 2;

    private MoeRouting Routing => _template.Routing ?? MoeRouting.Uniform;

    private static readonly TensorClass[] Transient =
        [TensorClass.ActivationsRead, TensorClass.ActivationsWritten, TensorClass.AccumulatorRead, TensorClass.AccumulatorWritten];

    // The logits all-gather of a vocabulary-split LM head belongs with the head: only a sampling chunk pays it.
    private static readonly HashSet<string> HeadOps = new(StringComparer.Ordinal) { "final_norm", "lm_head", "tp_logits_gather", "logit_softcap" };

    // Ops of a decode step that read or rebuild the whole cache: what a later prefill chunk pays again to attend
    // to the earlier chunks' tokens (see PrefixRead).
    private static readonly HashSet<string> PrefixOps = new(StringComparer.Ordinal) { "accumulate", "acc_init", "rope_k_cache" };
    private static readonly HashSet<string> AttentionReadOps = new(StringComparer.Ordinal) { "attn_scores", "attn_output" };

    // Routed-expert GEMMs: their weights are neither shared by the batch nor summed over it. The iteration's tokens
    // touch E (1 - (1 - k/E)^tokens) distinct experts together, so each sequence adds its tokens and the weights are
    // taken from the iteration's total (a batch-1 ledger per sequence would count k experts per token).
    private static readonly HashSet<string> RoutedExpertOps = new(StringComparer.Ordinal) { "expert_gate_up", "expert_down" };
    private readonly Dictionary<int, (double FlopsPerToken, double BytesPerExpert)> _experts = [];

    private readonly Workload _template;
    private readonly HardwareProfile _hw;
    private readonly Dictionary<string, int> _slotByKey = new(StringComparer.Ordinal);
    private readonly List<string> _slotNames = [];
    private readonly List<double> _secPerFlop = [];
    private readonly List<bool> _sharedWeights = [];
    private readonly List<bool> _link = [];
    private readonly Dictionary<string, double> _linkLatencySec = new(StringComparer.Ordinal);
    private readonly bool _remat;
    private double[]?[] _decode = new double[]?[1024];
    private double[]?[] _verify = new double[]?[1024];
    private readonly Workload? _verifyTemplate;
    private readonly Func<Workload, IReadOnlyList<OpCost>> _decodeLedger;
    private readonly Dictionary<int, double[]> _body = [];
    private readonly Dictionary<int, double[]> _prefix = [];
    private readonly double[] _head;
    private readonly double _onChipCapacity;
    private readonly double _onChipBandwidth;
    private readonly double _dramBandwidth;
    private readonly double _launchSec;

    /// <param name="template">Model, hardware, scheme, weights and GEMM dtype; batch, context and phase are ignored.</param>
    /// <param name="overlapped">True: max(compute, memory) over the iteration; false: the sum of per-op times.</param>
    public IterationCoster(Workload template, bool overlapped = true)
        : this(template, overlapped, Ledger.Build)
    {
    }

    private IterationCoster(Workload template, bool overlapped, Func<Workload, IReadOnlyList<OpCost>> decodeLedger)
    {
        ArgumentNullException.ThrowIfNull(template);
        _decodeLedger = decodeLedger;
        // Speculation changes the decode step only (the verify step, Verify); prefill chunks and the prefix a chunk
        // re-reads stay the plain ledger's.
        _template = template with { Batch = 1, ContextTokens = 1, Phase = Phase.Decode, Speculation = null };
        _verifyTemplate = template.Speculation is { DraftTokens: > 0 } spec ? _template with { Speculation = spec } : null;
        _hw = template.Hardware;
        Overlapped = overlapped;
        _remat = template.Scheme.Remat != Domain.Schemes.RematMode.None;
        _onChipCapacity = _hw.OnChip?.CapacityBytes ?? 0;
        _onChipBandwidth = _hw.OnChip?.BandwidthBytesPerSec ?? double.PositiveInfinity;
        _dramBandwidth = _hw.DramBandwidthBytesPerSec;
        _launchSec = _hw.KernelLaunchLatencySec ?? 0;
        // Every op either phase can produce, and whether its weights are shared by a batch.
        var weights1 = new Dictionary<string, double>(StringComparer.Ordinal);
        var weights2 = new Dictionary<string, double>(StringComparer.Ordinal);
        var shapes = new List<Workload> { _template, _template with { Phase = Phase.Prefill } };
        if (_verifyTemplate is not null)
        {
            shapes.Add(_verifyTemplate);
        }
        foreach (var shape in shapes)
        {
            foreach (var (batch, into) in new[] { (1.0, weights1), (2.0, weights2) })
            {
                foreach (var op in Build(shape with { Batch = batch, ContextTokens = 16 }))
                {
                    string key = Key(op);
                    if (!_slotByKey.ContainsKey(key))
                    {
                        _slotByKey[key] = _slotNames.Count;
                        _slotNames.Add(op.Name);
                        var unit = new OpDraft(op.Name, op.Kind, 1, op.DType).AsVariant(op.Variant).Build(0);
                        _secPerFlop.Add(Roofline.Time(unit, _hw).ComputeSec);
                        _link.Add(op.Kind == OpKind.Communication);
                    }
                    into[key] = into.GetValueOrDefault(key) + op.Bytes(TensorClass.Weights);
                }
            }
        }
        foreach (string key in _slotByKey.Keys.OrderBy(k => _slotByKey[k]))
        {
            _sharedWeights.Add(weights1.GetValueOrDefault(key) == weights2.GetValueOrDefault(key));
        }
        Slots = _slotNames.Count;
        var plan = template.Plan;
        Stages = plan.PipelineParallel;
        MicroBatches = plan.PipelineParallel > 1 ? plan.MicroBatchCount : 1;
        if (!plan.IsSingle && plan.Link is { } link)
        {
            // The same ledgers on a link of infinite bandwidth: what is left of each op's link time is its latency term.
            var alphaLink = plan with { Link = link with { PerDirectionBytesPerSec = double.PositiveInfinity } };
            foreach (var shape in shapes)
            {
                foreach (var op in Build(shape with { Parallel = alphaLink, ContextTokens = 16 }).Where(o => o.Kind == OpKind.Communication))
                {
                    _linkLatencySec[Key(op)] = op.LinkSec;
                }
            }
        }
        var oneToken = Build(_template);
        if (template.Model.Moe is { } moe)
        {
            // The batch-1 decode ledger routes one token: k experts touched exactly.
            foreach (var op in oneToken.Where(o => RoutedExpertOps.Contains(o.Name) && o.Flops > 0))
            {
                _experts[_slotByKey[Key(op)]] = (op.Flops, op.Bytes(TensorClass.Weights) / Routing.ExpectedDistinctExperts(moe, 1));
            }
        }
        var headOps = oneToken.Where(o => HeadOps.Contains(o.Name));
        _head = Vector(headOps);
    }

    public bool Overlapped { get; }

    /// <summary>Pipeline stages of the template's plan (1 on one device or under tensor parallelism alone).</summary>
    public int Stages { get; }

    /// <summary>Micro-batches a pipelined iteration is cut into (1 without pipeline parallelism).</summary>
    public int MicroBatches { get; }

    /// <summary>Number of distinct ops (slots) in a per-sequence vector.</summary>
    public int Slots { get; }

    /// <summary>Length of a per-sequence vector: summed columns, then max-combined columns.</summary>
    public int VectorLength => Slots * (SumStride + MaxStride);

    /// <summary>A decode step of one sequence over <paramref name="cachedTokens"/> cached tokens (the ledger's context).</summary>
    public double[] Decode(int cachedTokens)
    {
        if (cachedTokens >= _decode.Length)
        {
            Array.Resize(ref _decode, Math.Max(cachedTokens + 1, _decode.Length * 2));
        }
        return _decode[cachedTokens] ??= Vector(Build(_template with { ContextTokens = cachedTokens }));
    }

    /// <summary>The template's speculation when k &gt; 0 (then <see cref="Verify"/> is the decode step); null otherwise.</summary>
    public SpecDecoding? Speculation => _verifyTemplate?.Speculation;

    /// <summary>
    /// A speculative verify step of one sequence over <paramref name="cachedTokens"/> cached tokens: the decode ledger
    /// with k + 1 queries per sequence (<see cref="LedgerBuilder.QueriesPerSequence"/>): new-token rows and attention
    /// pairs scale with k + 1, the cache is read once.
    /// </summary>
    public double[] Verify(int cachedTokens)
    {
        var template = _verifyTemplate ?? throw new InvalidOperationException("the coster's template has no speculation");
        if (cachedTokens >= _verify.Length)
        {
            Array.Resize(ref _verify, Math.Max(cachedTokens + 1, _verify.Length * 2));
        }
        return _verify[cachedTokens] ??= Vector(Build(template with { ContextTokens = cachedTokens }));
    }

    /// <summary>
    /// A coster of the drafter of <paramref name="target"/>'s speculation (its own slots: the draft model's op names
    /// are the target's): <see cref="Decode"/> is one draft step at a context, the draft model's plain decode in its
    /// FP16 cache on one device, or the MTP module's step (<see cref="SpecStep.DraftOps"/>).
    /// </summary>
    public static IterationCoster ForDrafter(Workload target, bool overlapped)
    {
        ArgumentNullException.ThrowIfNull(target);
        var spec = target.Speculation ?? throw new ArgumentException("the workload has no speculation", nameof(target));
        if (spec.Drafter == SpecDrafter.Free)
        {
            throw new ArgumentException("a free drafter has no cost", nameof(target));
        }
        bool mtp = spec.Drafter == SpecDrafter.Mtp;
        return new IterationCoster(SpecStep.DraftWorkload(target, 1), overlapped, w => SpecStep.DraftOps(w, mtp));
    }

    /// <summary>
    /// A prefill chunk of <paramref name="chunkTokens"/> prompt tokens after <paramref name="doneTokens"/> already in
    /// the cache: the prompt ledger's growth from p to p + c (projections and FFN of c tokens, causal attention of
    /// c queries over p + c keys, the cache write of c tokens; weights once), plus, when p &gt; 0, reading the p cached
    /// tokens again (<see cref="PrefixRead"/>), plus the final norm and LM head when the chunk ends the prompt.
    /// </summary>
    public double[] Chunk(int doneTokens, int chunkTokens, bool samples)
    {
        var v = new double[VectorLength];
        var hi = Body(doneTokens + chunkTokens);
        int sumLength = Slots * SumStride;
        Array.Copy(hi, v, v.Length);
        if (doneTokens > 0)
        {
            var lo = Body(doneTokens);
            for (int i = 0; i < sumLength; i++)
            {
                v[i] -= lo[i];
            }
            Add(v, PrefixRead(doneTokens));
        }
        if (samples)
        {
            Add(v, _head);
        }
        return v;
    }

    /// <summary>
    /// What a chunk pays to attend to <paramref name="cachedTokens"/> tokens cached by earlier chunks: the decode
    /// ledger's cache-side ops at that context: dequantization, rematerialization of K and V (and RoPE on the
    /// rebuilt keys), the CL accumulator rebuild, and the cache bytes the attention GEMVs read directly (FP16 K/V, or
    /// unfused remat K/V). Not the decode's per-query FLOPs: the chunk's attention FLOPs are in the prompt ledger's
    /// growth. The decode ledger rebuilds N = context + 1 tokens, so remat counts one token more than the prefix.
    /// </summary>
    public double[] PrefixRead(int cachedTokens)
    {
        if (_prefix.TryGetValue(cachedTokens, out var cached))
        {
            return cached;
        }
        var v = new double[VectorLength];
        foreach (var op in Build(_template with { ContextTokens = cachedTokens }))
        {
            bool whole = op.Kind is OpKind.Remat or OpKind.Dequantize || PrefixOps.Contains(op.Name) || (_remat && op.Name == "rope_k");
            if (whole)
            {
                AddOp(v, op, bytesOnly: false);
            }
            else if (AttentionReadOps.Contains(op.Name))
            {
                AddOp(v, op, bytesOnly: true);
            }
        }
        _prefix[cachedTokens] = v;
        return v;
    }

    /// <summary>Adds a per-sequence vector into an iteration accumulator (sums, and max for shared weights and launches).</summary>
    public static void Add(double[] into, double[] v)
    {
        int sumLength = v.Length / (SumStride + MaxStride) * SumStride;
        int i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            int w = Vector<double>.Count;
            for (; i <= sumLength - w; i += w)
            {
                (new Vector<double>(into, i) + new Vector<double>(v, i)).CopyTo(into, i);
            }
        }
        for (; i < sumLength; i++)
        {
            into[i] += v[i];
        }
        for (i = sumLength; i < v.Length; i++)
        {
            if (v[i] > into[i])
            {
                into[i] = v[i];
            }
        }
    }

    /// <summary>A fresh, empty iteration accumulator.</summary>
    public double[] NewAccumulator() => new double[VectorLength];

    /// <summary>The iteration's time in seconds from the combined vector.</summary>
    public double TimeSec(double[] combined) => Time(combined).TimeSec;

    /// <summary>The iteration's time split into compute, memory and launch sums, and the form used.</summary>
    public IterationTime Time(double[] combined)
    {
        double compute = 0, memory = 0, launch = 0, serial = 0, flops = 0, dram = 0, link = 0;
        int maxBase = Slots * SumStride;
        for (int s = 0; s < Slots; s++)
        {
            int b = s * SumStride;
            double kernels = combined[maxBase + s * MaxStride + 1];
            if (kernels <= 0)
            {
                continue;
            }
            if (_link[s])
            {
                // Bandwidth seconds (summed) + latency seconds (once), never overlapped with compute.
                double tk = combined[b] + combined[maxBase + s * MaxStride];
                double tlk = _launchSec * kernels;
                link += tk;
                launch += tlk;
                serial += tk + tlk;
                continue;
            }
            double opFlops = combined[b];
            double opDram = _experts.TryGetValue(s, out var expert)
                ? Routing.ExpectedDistinctExperts(_template.Model.Moe!, combined[b + 1]) * expert.BytesPerExpert
                : combined[b + 1] + combined[maxBase + s * MaxStride];
            double onChip = 0;
            for (int c = 0; c < Transient.Length; c++)
            {
                double bytes = combined[b + 2 + c];
                if (bytes / kernels <= _onChipCapacity)
                {
                    onChip += bytes;
                }
                else
                {
                    opDram += bytes;
                }
            }
            double tc = opFlops * _secPerFlop[s];
            double tm = opDram / _dramBandwidth + onChip / _onChipBandwidth;
            double tl = _launchSec * kernels;
            compute += tc;
            memory += tm;
            launch += tl;
            serial += Math.Max(tc, tm) + tl;
            flops += opFlops;
            dram += opDram;
        }
        return new IterationTime(Overlapped ? Math.Max(compute, memory) + launch + link : serial, compute, memory, launch, flops, dram, link);
    }

    /// <summary>
    /// A pipelined iteration: its sequences cut into micro-batches (each timed as its own iteration, summed over the
    /// stages), flowing through <see cref="Stages"/> equal stages. With micro-batch j taking T_j / PP per stage, the
    /// step takes sum_j T_j / PP + (PP - 1) max_j T_j / PP (a flow shop of identical stages: the last micro-batch
    /// leaves the pipeline after every micro-batch has passed the first stage and the largest has crossed the rest).
    /// With M equal micro-batches it is (M + PP - 1) x T / PP, <see cref="Domain.Planning.PipelineThroughput"/>'s step;
    /// with one, the plain sum over stages. Empty micro-batches cost nothing.
    /// </summary>
    public double PipelinedSec(IReadOnlyList<double[]> microBatches)
    {
        ArgumentNullException.ThrowIfNull(microBatches);
        double sum = 0, max = 0;
        foreach (var acc in microBatches)
        {
            double t = TimeSec(acc);
            sum += t;
            max = Math.Max(max, t);
        }
        return (sum + (Stages - 1) * max) / Stages;
    }

    /// <summary>Op name of a slot (for explanations and tests).</summary>
    public string SlotName(int slot) => _slotNames[slot];

    private double[] Body(int promptTokens)
    {
        if (!_body.TryGetValue(promptTokens, out var v))
        {
            var ops = Ledger.Build(_template with { ContextTokens = promptTokens, Phase = Phase.Prefill });
            v = Vector(ops.Where(o => !HeadOps.Contains(o.Name)));
            _body[promptTokens] = v;
        }
        return v;
    }

    private IReadOnlyList<OpCost> Build(Workload w) => w.Phase == Phase.Decode ? _decodeLedger(w) : Ledger.Build(w);

    private double[] Vector(IEnumerable<OpCost> ops)
    {
        var v = new double[VectorLength];
        foreach (var op in ops)
        {
            AddOp(v, op, bytesOnly: false);
        }
        return v;
    }

    private void AddOp(double[] v, OpCost op, bool bytesOnly)
    {
        if (!_slotByKey.TryGetValue(Key(op), out int s))
        {
            throw new InvalidOperationException($"op '{op.Name}' ({Key(op)}) was not in the ledgers the coster was built from");
        }
        int b = s * SumStride;
        int m = Slots * SumStride + s * MaxStride;
        if (_link[s])
        {
            double latency = _linkLatencySec.GetValueOrDefault(Key(op));
            v[b] += op.LinkSec - latency;
            v[m] = Math.Max(v[m], latency);
            v[m + 1] = Math.Max(v[m + 1], op.LaunchCount);
            return;
        }
        if (!bytesOnly)
        {
            v[b] += op.Flops;
        }
        if (_experts.TryGetValue(s, out var expert))
        {
            // Tokens, not bytes, in this slot's persistent column: an expert GEMM reads no cache or metadata, and its
            // weights follow from the iteration's routed tokens (see Time).
            if (!bytesOnly)
            {
                v[b + 1] += op.Flops / expert.FlopsPerToken;
            }
        }
        else
        {
            double weights = op.Bytes(TensorClass.Weights);
            if (_sharedWeights[s])
            {
                v[m] = Math.Max(v[m], weights);
            }
            else
            {
                v[b + 1] += weights;
            }
            foreach (var c in TensorClasses.All)
            {
                if (c != TensorClass.Weights && !c.IsTransient())
                {
                    v[b + 1] += op.Bytes(c);
                }
            }
        }
        for (int c = 0; c < Transient.Length; c++)
        {
            v[b + 2 + c] += op.Bytes(Transient[c]);
        }
        v[m + 1] = Math.Max(v[m + 1], op.LaunchCount);
    }

    private static string Key(OpCost op) => $"{op.Name}|{op.Kind}|{op.DType}|{op.Variant}";
}
