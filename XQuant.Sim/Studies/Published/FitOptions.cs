namespace XQuant.Sim.Studies.Published;

/// <summary>
/// Fit settings. <see cref="PriorWeight"/> pulls the pooled fit weakly toward <see cref="EfficiencyFitter.PriorCenter"/>
/// so a direction the rows cannot resolve stays at a typical value; <see cref="EngineShrink"/> pulls an engine's entry
/// toward the pooled one, so an engine with two rows moves only as far as its rows demand. Both act on the logistic
/// coordinates of the bounded parameters.
/// </summary>
public sealed record FitOptions(double PriorWeight = 0.01, double EngineShrink = 0.05, double HuberScale = 0.25, int MaxEvaluations = 900);
