namespace XQuant.Sim.Studies.Serving;

/// <summary>
/// Draws how many tokens one speculative verify step yields for one sequence: 1 (the target's own token) plus the
/// number of leading draft tokens accepted, each accepted independently with probability a, at most k. Its mean is
/// sum over i = 0..k of a^i = (1 - a^(k+1)) / (1 - a), <see cref="Domain.CostModel.SpecDecoding.ExpectedTokensPerStep"/>.
/// One generator per simulation run, seeded from the run's seed, so a run is a pure function of its inputs (and the
/// same on any thread count); the draws never share a generator with the arrival or length draws.
/// </summary>
public sealed class AcceptanceSampler
{
    // Mixed into the run's seed so the acceptance stream differs from ArrivalSpec's length and gap streams.
    private const ulong StreamSalt = 0xD1B54A32D192ED03UL;

    private readonly Random _random;

    public AcceptanceSampler(ulong seed)
    {
        ulong mixed = (seed ^ StreamSalt) * 0x9E3779B97F4A7C15UL;
        _random = new Random(unchecked((int)(mixed >> 32)));
    }

    /// <summary>Tokens gained by one verify step: 1 + leading accepted drafts, in 1..k + 1 (a = 1 accepts all k).</summary>
    public int Draw(int draftTokens, double acceptanceRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(draftTokens);
        if (acceptanceRate is < 0 or > 1 || double.IsNaN(acceptanceRate))
        {
            throw new ArgumentOutOfRangeException(nameof(acceptanceRate), "acceptance rate must be in [0, 1]");
        }
        int tokens = 1;
        while (tokens <= draftTokens && _random.NextDouble() < acceptanceRate)
        {
            tokens++;
        }
        return tokens;
    }
}
