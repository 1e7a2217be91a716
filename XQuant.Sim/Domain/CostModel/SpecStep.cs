using System.Globalization;
using System.Runtime.CompilerServices;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Domain.CostModel;

/// <summary>
/// Costs a speculative decode step from the same ledger: the verify step is the target's decode ledger with k + 1
/// queries per sequence (<see cref="LedgerBuilder.QueriesPerSequence"/>); the drafter's steps are ordinary decode
/// ledgers of the draft model (or of the MTP head) at contexts l, l + 1, ..., l + k - 1.
/// </summary>
public static class SpecStep
{
    private static readonly ConditionalWeakTable<ModelConfig, ModelConfig> MtpModels = new();

    /// <summary>The verify step plus the draft steps of a decode workload with <see cref="Workload.Speculation"/>.</summary>
    public static SpecStepCost Cost(Workload w)
    {
        ArgumentNullException.ThrowIfNull(w);
        var spec = w.Speculation ?? throw new ArgumentException("the workload has no speculation", nameof(w));
        if (w.Phase != Phase.Decode)
        {
            throw new ArgumentException("speculation applies to decode steps", nameof(w));
        }
        var verify = Roofline.Step(w);
        var drafts = new List<StepCost>();
        for (int j = 0; j < spec.DraftTokens && spec.Drafter != SpecDrafter.Free; j++)
        {
            drafts.Add(DraftStep(w, spec, w.ContextTokens + j));
        }
        return new SpecStepCost(spec, verify, drafts, Notes(w, spec));
    }

    /// <summary>Per-token time in the overlapped form: the step's for plain decode, (verify + draft) / E under speculation.</summary>
    public static double PerTokenOverlappedSec(Workload w) =>
        w.Speculation is null || w.Phase != Phase.Decode ? Roofline.Step(w).OverlappedSec : Cost(w).PerTokenOverlappedSec;

    /// <summary>Compute minus memory time of the whole step (verify and draft), for the hiding bisection.</summary>
    public static double ComputeExcessSec(Workload w)
    {
        if (w.Speculation is null || w.Phase != Phase.Decode)
        {
            var s = Roofline.Step(w);
            return s.ComputeSec - s.MemorySec;
        }
        var c = Cost(w);
        return c.ComputeSec - c.MemorySec;
    }

    /// <summary>
    /// The MTP module as a one-layer model of the target's shape: one decoder layer (routed when the target is MoE,
    /// as DeepSeek-V3's MTP layer is), no sliding window, sharing the embedding and LM head.
    /// </summary>
    public static ModelConfig MtpModel(ModelConfig target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return MtpModels.GetValue(target, t => t with
        {
            Id = t.Id + "-mtp",
            Layers = 1,
            Window = null,
            Moe = t.Moe is { } moe ? moe with { FirstDenseLayers = 0 } : null,
        });
    }

    /// <summary>The cache scheme of a draft: the target's on the MTP layer where it applies to one layer, else the model's native cache.</summary>
    public static CacheScheme DraftScheme(Workload w, ModelConfig draft, bool mtp)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(draft);
        if (mtp && w.Scheme.Layout(w.Model).Accumulator is null && w.Scheme.Validate(draft).Count == 0)
        {
            return w.Scheme;
        }
        return draft.Mla is not null ? new MlaLatentScheme(16, 64) : new Fp16KvScheme();
    }

    private static StepCost DraftStep(Workload w, SpecDecoding spec, double context)
    {
        var b = DraftBuilder(DraftWorkload(w, context), spec.Drafter == SpecDrafter.Mtp);
        var ops = b.Build().Select(o => Roofline.Time(o, w.Hardware)).ToList();
        return new StepCost(ops, w.Hardware.Provenance, b.Notes.ToList());
    }

    /// <summary>
    /// The drafter's own decode workload for target workload <paramref name="w"/> at <paramref name="context"/> cached
    /// tokens: the draft model (or the MTP module) in <see cref="DraftScheme"/>, the target's weights and batch, one device.
    /// </summary>
    public static Workload DraftWorkload(Workload w, double context)
    {
        ArgumentNullException.ThrowIfNull(w);
        var spec = w.Speculation ?? throw new ArgumentException("the workload has no speculation", nameof(w));
        bool mtp = spec.Drafter == SpecDrafter.Mtp;
        var model = mtp ? MtpModel(w.Model) : spec.DraftModel ?? throw new InvalidOperationException("a model drafter needs a draft model");
        return new Workload(model, w.Hardware, DraftScheme(w, model, mtp), w.Weights, w.Batch, context, Phase.Decode, w.GemmDType, w.RuntimeReserveFraction)
        {
            Routing = w.Routing,
        };
    }

    /// <summary>One draft step's ops (untimed) for a drafter workload from <see cref="DraftWorkload"/>: its decode ledger, plus the MTP module's norms and eh projection.</summary>
    public static IReadOnlyList<OpCost> DraftOps(Workload draft, bool mtp)
    {
        ArgumentNullException.ThrowIfNull(draft);
        return DraftBuilder(draft, mtp).Build();
    }

    private static LedgerBuilder DraftBuilder(Workload draft, bool mtp)
    {
        var b = new LedgerBuilder(draft);
        Ledger.Fill(b);
        if (mtp)
        {
            // DeepSeek-V3 MTP: RMSNorm the previous hidden state and the next token's embedding, concatenate, project 2d -> d.
            double d = draft.Model.HiddenSize;
            b.Add(b.Elementwise("mtp_norms", 2 * b.Batch * d, 4, 2 * b.Batch * d, 2 * b.Batch * d).AddBytes(TensorClass.Weights, 2 * d * 2.0), 1);
            b.Add(b.Gemm("mtp_eh_proj", b.Batch, 2 * d, d), 1);
        }
        return b;
    }

    private static List<string> Notes(Workload w, SpecDecoding spec)
    {
        var inv = CultureInfo.InvariantCulture;
        var notes = new List<string>
        {
            string.Create(inv, $"speculative decoding {spec.Spec}: the verify step runs k + 1 = {spec.QueriesPerSequence} queries per sequence (cache read, dequantized and rematerialized once); expected tokens per step (1 - a^(k+1)) / (1 - a) = {spec.ExpectedTokensPerStep:0.####} assuming each draft token is accepted independently with a = {spec.AcceptanceRate}; per-token time = (verify + draft) / E"),
        };
        if (spec.DraftTokens == 0)
        {
            return notes;
        }
        switch (spec.Drafter)
        {
            case SpecDrafter.Free:
                notes.Add("drafter not costed (n-gram / prompt-lookup drafting assumed free); give draft=MODEL or draft=mtp to charge one");
                break;
            case SpecDrafter.Model:
                var dm = spec.DraftModel!;
                notes.Add($"draft model {dm.Id}: {spec.DraftTokens} decode steps of its own at contexts l .. l + k - 1, cache {DraftScheme(w, dm, false).Spec}, weights {w.Weights.Name()}, on one device");
                break;
            case SpecDrafter.Mtp:
                var mm = MtpModel(w.Model);
                notes.Add($"MTP head (DeepSeek-V3 style): one decoder layer of {w.Model.Id}'s shape{(w.Model.Moe is null ? "" : " (routed FFN)")} with cache {DraftScheme(w, mm, true).Spec}, RMSNorms + eh_proj (2d x d), the shared embedding and LM head streamed again; run k = {spec.DraftTokens} times (one module reused), on one device");
                break;
        }
        notes.Add("capacity holds l + k tokens per sequence (the verify step writes the drafts before checking them), the drafter's weights and cache on this device, and k + 1 activation rows per sequence; rejected tokens are discarded");
        return notes;
    }
}
