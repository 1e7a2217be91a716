using System.Globalization;

namespace XQuant.Sim.Domain.Models;

/// <summary>
/// How a step's tokens spread over the routed experts, which sets the expert weights a step streams. Uniform (the
/// default): each token picks k of E experts uniformly, E (1 - (1 - k/E)^T) distinct experts for T tokens. Skewed:
/// expert i (by popularity rank) is chosen with Zipf probability p_i proportional to i^-s, so a token includes it with
/// probability pi_i = min(1, c p_i), c set so the pi_i sum to k (water-filling at 1), and T tokens touch
/// sum_i 1 - (1 - pi_i)^T experts (tokens independent; s = 0 is uniform). Measured: the user gives the touched
/// fraction f of a layer's experts at the run's batch; the step streams f E experts whatever its token count.
/// </summary>
public sealed record MoeRouting(double Skew = 0, double? TouchedFraction = null)
{
    public static readonly MoeRouting Uniform = new();

    /// <summary>Largest skew accepted on input (a Zipf exponent; measured MoE routers sit well below 2).</summary>
    public const double MaxSkew = 8;

    public bool IsUniform => Skew == 0 && TouchedFraction is null;

    /// <summary>The option text that reproduces this routing.</summary>
    public string Spec => TouchedFraction is double f ? string.Create(CultureInfo.InvariantCulture, $"touched={f}")
        : Skew == 0 ? "uniform" : string.Create(CultureInfo.InvariantCulture, $"zipf={Skew}");

    /// <summary>Expected distinct routed experts <paramref name="tokens"/> tokens touch in one layer.</summary>
    public double ExpectedDistinctExperts(MoeConfig moe, double tokens)
    {
        ArgumentNullException.ThrowIfNull(moe);
        if (tokens <= 0)
        {
            return 0;
        }
        if (TouchedFraction is double f)
        {
            return f * moe.Experts;
        }
        if (Skew == 0)
        {
            return moe.ExpectedDistinctExperts(tokens);
        }
        var pi = InclusionProbabilities(moe.Experts, moe.ExpertsPerToken, Skew);
        return pi.Sum(p => 1 - Math.Pow(1 - p, tokens));
    }

    /// <summary>
    /// Per-token inclusion probability of each expert (most popular first): min(1, c i^-s / Z) with c chosen so they
    /// sum to k, so one token touches exactly k experts.
    /// </summary>
    public static double[] InclusionProbabilities(int experts, int k, double skew)
    {
        var p = new double[experts];
        double z = 0;
        for (int i = 0; i < experts; i++)
        {
            p[i] = Math.Pow(i + 1, -skew);
            z += p[i];
        }
        for (int i = 0; i < experts; i++)
        {
            p[i] /= z;
        }
        var pi = new double[experts];
        int capped = 0;
        while (true)
        {
            double rest = 0;
            for (int i = capped; i < experts; i++)
            {
                rest += p[i];
            }
            double c = (k - capped) / rest;
            if (capped < experts && c * p[capped] > 1)
            {
                capped++;
                continue;
            }
            for (int i = 0; i < experts; i++)
            {
                pi[i] = i < capped ? 1 : c * p[i];
            }
            return pi;
        }
    }

    /// <summary>The assumption, as a ledger note states it.</summary>
    public string Assumption(MoeConfig moe, double tokens, double touched)
    {
        ArgumentNullException.ThrowIfNull(moe);
        string t = Text(touched), n = Text(tokens);
        return TouchedFraction is double f
            ? $"MoE weights streamed per step from a measured routing: {Text(f)} of {moe.Experts} experts touched per layer (given), i.e. {t} experts, whatever the step's {n} tokens"
            : Skew == 0
                ? $"MoE weights streamed per step assume uniform routing: {t} of {moe.Experts} experts touched per layer by {n} tokens (E(1-(1-k/E)^tokens))"
                : $"MoE weights streamed per step assume Zipf-skewed routing (s = {Text(Skew)}): {t} of {moe.Experts} experts touched per layer by {n} tokens (sum of 1-(1-pi_i)^tokens, pi_i = min(1, c i^-s), sum pi_i = k)";
    }

    private static string Text(double x) => x.ToString("0.##", CultureInfo.InvariantCulture);
}
