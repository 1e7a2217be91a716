using System.Globalization;
using XQuant.Sim.Domain.Models;

namespace XQuant.Sim.Domain.CostModel;

/// <summary>Who proposes the k draft tokens of a speculative step.</summary>
public enum SpecDrafter
{
    /// <summary>No drafter is costed (n-gram / prompt-lookup drafting, whose cost is negligible): stated as an assumption.</summary>
    Free,

    /// <summary>A second, small model (<see cref="SpecDecoding.DraftModel"/>) decodes k steps of its own.</summary>
    Model,

    /// <summary>A multi-token-prediction head (DeepSeek-V3): one extra decoder layer, the eh projection and the shared LM head, run k times.</summary>
    Mtp,
}

/// <summary>
/// Speculative decoding or multi-token prediction: every target step verifies <see cref="DraftTokens"/> (k) proposed
/// tokens plus one of its own (k + 1 queries per sequence over the cache, read and rematerialized once), and each
/// proposed token is accepted with probability <see cref="AcceptanceRate"/> (a), independently, until the first
/// rejection. Expected tokens per step = (1 - a^(k+1)) / (1 - a) (Leviathan et al. 2023, eq. 1). k = 0 is plain decode.
/// </summary>
public sealed record SpecDecoding(int DraftTokens, double AcceptanceRate, SpecDrafter Drafter = SpecDrafter.Free, ModelConfig? DraftModel = null)
{
    /// <summary>Largest k accepted on input: engines verify a handful of tokens; beyond this the i.i.d. acceptance model means little.</summary>
    public const int MaxDraftTokens = 64;

    /// <summary>Queries per sequence in the verify step: k + 1.</summary>
    public int QueriesPerSequence => DraftTokens + 1;

    /// <summary>E[tokens per step] = sum over i = 0..k of a^i = (1 - a^(k+1)) / (1 - a); exactly 1 at k = 0.</summary>
    public double ExpectedTokensPerStep => ExpectedTokens(DraftTokens, AcceptanceRate);

    public static double ExpectedTokens(int k, double a)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (a is < 0 or >= 1 || double.IsNaN(a))
        {
            throw new ArgumentOutOfRangeException(nameof(a), "acceptance rate must be in [0, 1)");
        }
        // The sum form is exact at k = 0 (1) and free of the 0/0 the closed form has at a = 0.
        double sum = 0, term = 1;
        for (int i = 0; i <= k; i++)
        {
            sum += term;
            term *= a;
        }
        return sum;
    }

    /// <summary>The option text that reproduces this configuration.</summary>
    public string Spec => string.Create(CultureInfo.InvariantCulture, $"k={DraftTokens},accept={AcceptanceRate}") + Drafter switch
    {
        SpecDrafter.Model => $",draft={DraftModel?.Id}",
        SpecDrafter.Mtp => ",draft=mtp",
        _ => "",
    };
}
