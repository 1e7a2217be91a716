using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Studies.Published;

/// <summary>A prepared prediction built from a function.</summary>
public sealed class FunctionPrediction(Func<EngineEfficiency, double> predict) : IPreparedPrediction
{
    public double Predict(EngineEfficiency efficiency) => predict(efficiency);
}
