namespace XQuant.Sim.Studies.Serving;

/// <summary>The finished study, rendered by the Rendering/Serving writers; nothing here is recomputed there.</summary>
public sealed record ServingStudyResult(ServingRequestPlan Plan, IReadOnlyList<SchemeServing> Schemes);
