using XQuant.Kernels.Engine;

namespace XQuant.Sim.Tests.Engine;

/// <summary>Shared engine drivers for the engine tests.</summary>
internal static class EngineRuns
{
    /// <summary>Logits of the last of <paramref name="steps"/> decode steps over a synthetic history of <paramref name="context"/> tokens.</summary>
    public static float[] Logits(EngineWeights weights, EngineScheme scheme, int context, int steps, bool deterministic = false)
    {
        var e = new DecodeEngine(weights, scheme) { Deterministic = deterministic };
        e.FillSynthetic(context);
        float[] logits = [];
        for (int s = 0; s < steps; s++)
        {
            logits = e.Step(11 + (5 * s)).Logits;
        }
        return logits;
    }
}
