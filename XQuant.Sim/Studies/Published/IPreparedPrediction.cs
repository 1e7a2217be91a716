using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Studies.Published;

/// <summary>The metric of one row as a function of the engine efficiency, in the row's units.</summary>
public interface IPreparedPrediction
{
    double Predict(EngineEfficiency efficiency);
}
