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
