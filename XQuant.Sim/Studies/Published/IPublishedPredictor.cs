using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Studies.Published;

/// <summary>
/// Predicts a published row's metric. Preparing does the expensive part once (ledgers, capacity); the prepared
/// prediction is then re-evaluated under many engine efficiencies by the fit. The analytic steady-state predictor
/// implements it today; the serving simulator (#13) can replace it behind this interface.
/// </summary>
public interface IPublishedPredictor
{
    string Name { get; }

    /// <summary>A prediction for the case, or a status saying why the row cannot be predicted.</summary>
    Preparation Prepare(PublishedCase c);
}

/// <summary>The metric of one row as a function of the engine efficiency, in the row's units.</summary>
public interface IPreparedPrediction
{
    double Predict(EngineEfficiency efficiency);
}

/// <summary>Either a prepared prediction or the reason there is none.</summary>
public sealed record Preparation(IPreparedPrediction? Prediction, string Status)
{
    public static Preparation Unsupported(string why) => new(null, $"unsupported: {why}");
}

/// <summary>A prepared prediction built from a function.</summary>
public sealed class FunctionPrediction(Func<EngineEfficiency, double> predict) : IPreparedPrediction
{
    public double Predict(EngineEfficiency efficiency) => predict(efficiency);
}
