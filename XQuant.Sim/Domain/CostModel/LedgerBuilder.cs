using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Parallelism;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Domain.CostModel;

/// <summary>
/// Collects ops for one step. Each op is created for ONE layer (or once for model-level ops), placed (DRAM vs
/// on-chip) at that size, then multiplied by how many layers share it. Ops of the same name are totalled, so
/// the ledger lists each operator once with its whole-step FLOPs and bytes.
/// </summary>
public sealed class LedgerBuilder
{
    private static readonly DType[] GemmFallbacks = [DType.Bf16, DType.Fp16, DType.Fp8, DType.Int8, DType.Fp32, DType.Tf32, DType.Int4];
    private static readonly DType[] VectorPreference = [DType.Fp32, DType.Bf16, DType.Fp16, DType.Int8, DType.Fp8];

    // The ledger's ops in first-added order and its notes, shared with every view (CacheView, ForLayers). A list
    // searched by name, not a dictionary: a ledger has 20-50 ops, and a case builds two ledgers, so the dictionary,
    // its key list and a notes set per ledger were a good part of what a swept case allocated.
    private readonly List<OpCost> _ops;
    private readonly List<string> _notes;

    /// <summary>
    /// A builder for one device: under tensor parallelism <see cref="Model"/> is one rank's share of the model
    /// (<see cref="Sharding.RankModel"/>) and every op is that rank's; at TP = 1 it is the model itself.
    /// </summary>
    public LedgerBuilder(Workload w)
    {
        ArgumentNullException.ThrowIfNull(w);
        _ops = new List<OpCost>(48);
        _notes = [];
        Workload = w;
        int tp = w.Plan.TensorParallel;
        Model = Sharding.RankModel(w.Model, tp, w.Plan.ExpertParallel);
        var layoutModel = Sharding.LayoutModel(w.Model, w.Scheme, tp);
        Layout = LayoutCache.Get(w.Scheme, layoutModel);
        LatentKvDim = layoutModel.KvDim;
        Batch = w.Batch;
        ContextTokens = w.ContextTokens;
        QueriesPerSequence = w.QueriesPerSequence;
        BytesPerWeight = w.Weights.BytesPerWeight();
        GemmDType = Resolve(w.GemmDTypeOrDefault, "GEMMs");
        RematDType = Resolve(w.Scheme.RematDType, "rematerialization");
        VectorDType = ResolveVector();
        OnChipCapacityBytes = w.Hardware.OnChip?.CapacityBytes ?? 0;
    }

    /// <summary>A view that writes into <paramref name="parent"/>'s ledger with its own model, layout and context.</summary>
    private LedgerBuilder(LedgerBuilder parent, ModelConfig model, CacheLayout layout, double latentKvDim, double contextTokens)
    {
        _ops = parent._ops;
        _notes = parent._notes;
        Workload = parent.Workload;
        Model = model;
        Layout = layout;
        LatentKvDim = latentKvDim;
        Batch = parent.Batch;
        ContextTokens = contextTokens;
        QueriesPerSequence = parent.QueriesPerSequence;
        BytesPerWeight = parent.BytesPerWeight;
        GemmDType = parent.GemmDType;
        RematDType = parent.RematDType;
        VectorDType = parent.VectorDType;
        OnChipCapacityBytes = parent.OnChipCapacityBytes;
    }

    public Workload Workload { get; }
    public ModelConfig Model { get; }
    public CacheLayout Layout { get; }

    /// <summary>Width of one SVD latent (xquant-gqa): d_kv of the rank, or of the whole model under svd=global.</summary>
    public double LatentKvDim { get; }

    /// <summary>
    /// The builder the scheme's cache ops write through: this one, except for decode under tp=tokens, where each rank
    /// caches ceil(l / TP) tokens of X and rematerializes every head for them.
    /// </summary>
    /// <remarks>The layout stays: tp=tokens is offered only for schemes that cache the d-wide X, which sharding leaves whole.</remarks>
    public LedgerBuilder CacheView() =>
        Workload.Plan.TensorParallel > 1 && Workload.Scheme.TensorParallel == TpLayout.Tokens && Workload.Phase == Phase.Decode
            ? new LedgerBuilder(this, Workload.Model, Layout, Workload.Model.KvDim, Sharding.RankContextTokens(Workload.Scheme, Workload.Plan.TensorParallel, ContextTokens))
            : this;

    /// <summary>
    /// A view on the same ledger for some of the layers: <paramref name="layout"/>'s run at <paramref name="contextTokens"/>
    /// cached tokens (the local layers of a sliding-window model).
    /// </summary>
    public LedgerBuilder ForLayers(CacheLayout layout, double contextTokens) =>
        new(this, Model, layout, LatentKvDim, contextTokens);

    /// <summary>Batch.</summary>
    public double Batch { get; }

    /// <summary>Cached tokens per sequence before this step (decode) or prompt tokens (prefill).</summary>
    public double ContextTokens { get; }

    /// <summary>
    /// Queries per sequence in a decode step: 1, or k + 1 when a speculative step verifies k draft tokens (the cache
    /// is still read, dequantized and rematerialized once per sequence).
    /// </summary>
    public double QueriesPerSequence { get; }

    /// <summary>New tokens in a decode step (rows of every projection, FFN and cache append): batch x queries.</summary>
    public double NewTokens => Batch * QueriesPerSequence;

    /// <summary>Tokens in the keys of a decode step: the cache plus the new tokens (what rematerialization rebuilds).</summary>
    public double AttendedTokens => ContextTokens + QueriesPerSequence;

    /// <summary>
    /// Query-key pairs per sequence of a causal decode step: q l + q (q + 1) / 2 for q queries over l cached tokens
    /// (query j also sees the j - 1 new tokens before it); l + 1 at q = 1.
    /// </summary>
    public double AttentionPairs => QueriesPerSequence * ContextTokens + QueriesPerSequence * (QueriesPerSequence + 1) / 2;

    public double BytesPerWeight { get; }
    public DType GemmDType { get; }
    public DType RematDType { get; }

    /// <summary>Dtype of elementwise work (norms, RoPE, softmax, (de)quantization): the vector unit's.</summary>
    public DType VectorDType { get; }

    public double OnChipCapacityBytes { get; }

    /// <summary>Activations are BF16 in memory: 2 bytes.</summary>
    public const double ActivationBytesPerElement = 2.0;

    public IReadOnlyCollection<string> Notes => _notes;

    public void Note(string note)
    {
        if (!_notes.Contains(note, StringComparer.Ordinal))
        {
            _notes.Add(note);
        }
    }

    /// <summary>
    /// A draft for one op. The draft this builder handed out last is reused once <see cref="Add"/> has consumed it
    /// (every op of the ledger goes straight from here to Add), so a ledger allocates one draft, not one per op.
    /// </summary>
    public OpDraft Op(string name, OpKind kind, double flops, DType? dtype = null)
    {
        var resolved = kind is OpKind.Attention && dtype is DType.Fp4 or DType.Fp6 ? AttentionDType
            : dtype ?? (kind is OpKind.Gemm ? GemmDType : kind is OpKind.Remat ? RematDType : VectorDType);
        if (_consumed is { } reused)
        {
            _consumed = null;
            reused.Reset(name, kind, flops, resolved);
            return reused;
        }
        _handedOut = new OpDraft(name, kind, flops, resolved);
        return _handedOut;
    }

    // The last draft Op created, and that draft once Add has taken it (free for the next Op). Drafts built elsewhere
    // (new OpDraft) are never reused: their owner may still hold them.
    private OpDraft? _handedOut;
    private OpDraft? _consumed;

    /// <summary>
    /// Attention runs in the GEMM dtype, except that FP4/FP6 (weights and activations of the projections) never reach
    /// attention: softmax-weighted sums over an FP16 or FP8 cache stay in BF16 there.
    /// </summary>
    public DType AttentionDType => GemmDType is DType.Fp4 or DType.Fp6 ? _attentionDType ??= Resolve(DType.Bf16, "attention") : GemmDType;

    private DType? _attentionDType;

    /// <summary>
    /// Adds an op built for one layer, repeated <paramref name="times"/> times. A draft from this builder's
    /// <see cref="Op"/> is consumed: its next Op may return the same object, reset.
    /// </summary>
    public void Add(OpDraft perLayer, double times)
    {
        if (ReferenceEquals(perLayer, _handedOut))
        {
            _consumed = perLayer;
        }
        if (times <= 0)
        {
            return;
        }
        var scaled = perLayer.Build(OnChipCapacityBytes, times);
        for (int i = 0; i < _ops.Count; i++)
        {
            if (string.Equals(_ops[i].Name, scaled.Name, StringComparison.Ordinal))
            {
                _ops[i] = _ops[i].Plus(scaled);
                return;
            }
        }
        _ops.Add(scaled);
    }

    public IReadOnlyList<OpCost> Build() => new List<OpCost>(_ops);

    /// <summary>The ops so far, without a copy (the roofline times them straight away).</summary>
    internal List<OpCost> Ops => _ops;

    /// <summary>A GEMM of m rows through a k x n weight matrix read once from DRAM.</summary>
    public OpDraft Gemm(string name, double m, double k, double n, OpKind kind = OpKind.Gemm) =>
        Op(name, kind, 2 * m * k * n)
            .AddBytes(TensorClass.Weights, k * n * BytesPerWeight)
            .AddBytes(TensorClass.ActivationsRead, m * k * ActivationBytesPerElement)
            .AddBytes(TensorClass.ActivationsWritten, m * n * ActivationBytesPerElement);

    public OpDraft Elementwise(string name, double elements, double flopsPerElement, double readElements, double writtenElements) =>
        Op(name, OpKind.Elementwise, elements * flopsPerElement)
            .AddBytes(TensorClass.ActivationsRead, readElements * ActivationBytesPerElement)
            .AddBytes(TensorClass.ActivationsWritten, writtenElements * ActivationBytesPerElement);

    private DType Resolve(DType wanted, string what)
    {
        var hw = Workload.Hardware;
        if (hw.Supports(wanted))
        {
            return wanted;
        }
        foreach (var t in GemmFallbacks)
        {
            if (hw.Supports(t))
            {
                Note($"{hw.Id} has no {wanted.Name()} rate; {what} timed at its {t.Name()} peak");
                return t;
            }
        }
        throw new InvalidOperationException($"{hw.Id} has no compute peak at all");
    }

    private DType ResolveVector()
    {
        foreach (var t in VectorPreference)
        {
            if (Workload.Hardware.Supports(t))
            {
                return t;
            }
        }
        return GemmDType;
    }
}
