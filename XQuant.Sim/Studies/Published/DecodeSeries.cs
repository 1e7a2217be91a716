using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Studies.Published;

/// <summary>
/// The decode steps of a static batch, one per context from <c>first</c> to <c>first + steps - 1</c>. Up to
/// <see cref="ExactSteps"/> steps each is costed; beyond, the sum is the trapezoid rule over that many evenly spaced
/// contexts plus the end-point correction. Each op's time is the maximum of two linear functions of the context, so
/// the rule is exact except near the context where an op turns from compute- to memory-bound.
/// </summary>
public sealed class DecodeSeries
{
    public const int ExactSteps = 16;

    private readonly List<(StepWork Step, double Weight)> _points = [];

    public DecodeSeries(Workload decodeAtBatch, double firstContext, long steps, double weightBytesScale = 1.0)
    {
        ArgumentNullException.ThrowIfNull(decodeAtBatch);
        Steps = steps;
        if (steps <= 0)
        {
            return;
        }
        if (steps <= ExactSteps)
        {
            for (long k = 0; k < steps; k++)
            {
                _points.Add((StepWork.From(decodeAtBatch with { ContextTokens = firstContext + k, Phase = Phase.Decode }, weightBytesScale), 1.0));
            }
            return;
        }
        double h = (steps - 1) / (double)(ExactSteps - 1);
        for (int j = 0; j < ExactSteps; j++)
        {
            double weight = j == 0 || j == ExactSteps - 1 ? h / 2 + 0.5 : h;
            _points.Add((StepWork.From(decodeAtBatch with { ContextTokens = firstContext + j * h, Phase = Phase.Decode }, weightBytesScale), weight));
        }
    }

    public long Steps { get; }

    /// <summary>Sum of the steps' roofline times, no fixed overhead.</summary>
    public double TimeSec(EngineEfficiency e)
    {
        double t = 0;
        foreach (var (step, weight) in _points)
        {
            t += weight * step.TimeSec(e);
        }
        return t;
    }
}
