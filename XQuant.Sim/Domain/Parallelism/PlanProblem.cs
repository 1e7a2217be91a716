namespace XQuant.Sim.Domain.Parallelism;

/// <summary>One problem with a parallel plan: the option it comes from ("--tp", "--pp") and what is wrong.</summary>
public sealed record PlanProblem(string Option, string Message);
