using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Domain.Planning;

/// <summary>The quantity a crossover scan varies while everything else stays fixed.</summary>
public enum CrossoverAxis
{
    /// <summary>Cached tokens per sequence, at the workload's batch.</summary>
    ContextTokens,

    /// <summary>Sequences in the batch, at the workload's context.</summary>
    Batch,
}

/// <summary>Where one scheme's step time crosses another's: the value <see cref="At"/> on <see cref="Axis"/>.</summary>
public sealed record Crossover(CrossoverAxis Axis, double At, bool SchemeFasterBelow);

/// <summary>The three break-even answers for one scheme on one device, each with the formula that produced it.</summary>
public sealed record BreakEvenResult(
    Workload Workload,
    Workload Versus,
    double HideContextTokens,
    double HideContextClosedForm,
    double WeightBytesPerLayer,
    double RematFlopsPerTokenPerLayer,
    IReadOnlyList<Crossover> Crossovers,
    IReadOnlyList<Crossover> BatchCrossovers,
    double SchemeStepSec,
    double VersusStepSec,
    double RidgeNeededFlopsPerByte,
    double DeviceRidgeFlopsPerByte)
{
    /// <summary>
    /// Under speculation: contexts where the scheme's per-token time with speculation crosses its own plain decode
    /// (below the first, speculation pays when it starts faster); null without speculation.
    /// </summary>
    public IReadOnlyList<Crossover>? SpecCrossovers { get; init; }
}

/// <summary>
/// Break-even analysis from the ledger. All step times are the overlapped form (compute and memory overlap
/// across the step), the one under which "remat hides under the weight stream" is meaningful.
/// </summary>
public static class BreakEven
{
    /// <summary>KIVI* at the scheme's bit width: the paper's comparison.</summary>
    public static string DefaultVersus(CacheScheme s) => s switch
    {
        XQuantScheme x => $"kivi:{x.Bits}",
        XQuantClScheme x => $"kivi:{x.DeltaBits}",
        XQuantGqaScheme x => $"kivi:{x.Bits}",
        XQuantClGqaScheme x => $"kivi:{x.DeltaBits}",
        _ => "fp16",
    };

    /// <summary>On an MLA model KV schemes do not apply: the comparison is the native latent at the scheme's bits (xquant:4 vs mla:4), or at FP16.</summary>
    public static string DefaultVersus(CacheScheme s, ModelConfig m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return m.Mla is null ? DefaultVersus(s) : s is XQuantScheme x ? $"mla:{x.Bits}" : "mla";
    }

    public const double ContextLimit = 1 << 24;

    public static BreakEvenResult Analyze(Workload scheme, Workload versus)
    {
        double hide = HideContext(scheme);
        var atL = Roofline.Step(scheme);
        var vsL = Roofline.Step(versus);
        var m = scheme.Model;
        // Under tensor parallelism a rank streams its share of each layer's weights (of a MoE layer, the touched experts').
        double weightBytesPerLayer = MoeConfig.StreamedLayerParams(Parallelism.Sharding.RankModel(m, scheme.Plan.TensorParallel), scheme.Batch) * scheme.Weights.BytesPerWeight();
        double remat = atL.FlopsOf(OpKind.Remat) / (scheme.Batch * (scheme.ContextTokens + scheme.QueriesPerSequence) * m.Layers);
        var hw = scheme.Hardware;
        var rematPeak = hw.Peak(scheme.Scheme.RematDType) ?? hw.Peak(DType.Bf16) ?? double.NaN;
        double ridge = rematPeak / hw.DramBandwidthBytesPerSec;
        double closed = remat > 0 ? weightBytesPerLayer * ridge / (scheme.Batch * remat) : double.PositiveInfinity;
        return new BreakEvenResult(
            scheme,
            versus,
            hide,
            closed,
            weightBytesPerLayer,
            remat,
            Crossovers(scheme, versus),
            BatchCrossovers(scheme, versus),
            SpecStep.PerTokenOverlappedSec(scheme),
            SpecStep.PerTokenOverlappedSec(versus),
            vsL.DramBytes > 0 ? atL.Flops / vsL.DramBytes : double.PositiveInfinity,
            ridge)
        {
            SpecCrossovers = scheme.Speculation is null ? null : SpecCrossovers(scheme),
        };
    }

    /// <summary>Contexts where speculation's per-token time crosses the same scheme's plain decode.</summary>
    public static IReadOnlyList<Crossover> SpecCrossovers(Workload w)
    {
        ArgumentNullException.ThrowIfNull(w);
        var plain = w with { Speculation = null };
        return Scan(CrossoverAxis.ContextTokens, l => SpecStep.PerTokenOverlappedSec(w with { ContextTokens = l }) - Roofline.Step(plain with { ContextTokens = l }).OverlappedSec, ContextLimit);
    }

    /// <summary>
    /// The largest context at which the step is still memory-bound (sum of compute times &lt;= sum of memory
    /// times): up to there, the extra FLOPs hide under the weight and cache stream. Bisection on the ledger.
    /// </summary>
    public static double HideContext(Workload w)
    {
        double Excess(double l) => SpecStep.ComputeExcessSec(w with { ContextTokens = l });
        if (Excess(0) > 0)
        {
            return 0;
        }
        if (Excess(ContextLimit) <= 0)
        {
            return double.PositiveInfinity;
        }
        return Bisect(Excess, 0, ContextLimit);
    }

    public const double BatchLimit = 1 << 20;

    /// <summary>Contexts where the two schemes' overlapped step times (per-token times under speculation) cross, scanning powers of two then bisecting.</summary>
    public static IReadOnlyList<Crossover> Crossovers(Workload a, Workload b) =>
        Scan(CrossoverAxis.ContextTokens, l => SpecStep.PerTokenOverlappedSec(a with { ContextTokens = l }) - SpecStep.PerTokenOverlappedSec(b with { ContextTokens = l }), ContextLimit);

    /// <summary>Batches where the two schemes' step times cross at the workload's context (both at the same batch).</summary>
    public static IReadOnlyList<Crossover> BatchCrossovers(Workload a, Workload b) =>
        Scan(CrossoverAxis.Batch, n => SpecStep.PerTokenOverlappedSec(a with { Batch = n }) - SpecStep.PerTokenOverlappedSec(b with { Batch = n }), BatchLimit);

    private static List<Crossover> Scan(CrossoverAxis axis, Func<double, double> Diff, double limit)
    {
        var result = new List<Crossover>();
        double prevL = 1;
        double prev = Diff(prevL);
        for (double l = 2; l <= limit; l *= 2)
        {
            double cur = Diff(l);
            if (Math.Sign(cur) != Math.Sign(prev) && cur != 0 && prev != 0)
            {
                result.Add(new Crossover(axis, Bisect(Diff, prevL, l), prev < 0));
            }
            prevL = l;
            prev = cur;
        }
        return result;
    }

    /// <summary>Largest integer x in [lo, hi] with f(x) &lt;= 0, for f increasing across one sign change.</summary>
    private static double Bisect(Func<double, double> f, double lo, double hi)
    {
        bool rising = f(hi) > 0;
        while (hi - lo > 1)
        {
            double mid = Math.Floor((lo + hi) / 2);
            if ((f(mid) <= 0) == rising)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }
}
