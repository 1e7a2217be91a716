using XQuant.Sim.Domain.CostModel;

namespace XQuant.Sim.Studies.Serving;

/// <summary>What the serving simulation does with a speculative-decoding setting.</summary>
public static class ServingSpeculation
{
    /// <summary>
    /// The speculation a serving run uses: none at k = 0, which is plain decode (no verify rows, no draft steps, and no
    /// draft model loaded), so such a run and its files are exactly those without speculation.
    /// </summary>
    public static SpecDecoding? Effective(SpecDecoding? spec) => spec is { DraftTokens: > 0 } ? spec : null;
}
