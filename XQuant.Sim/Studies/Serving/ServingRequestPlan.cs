using XQuant.Sim.Domain.CostModel;

namespace XQuant.Sim.Studies.Serving;

/// <summary>What one simulate run asks for: one device and model, several schemes, one workload, the scheduler.</summary>
public sealed record ServingRequestPlan(
    Workload Template,
    IReadOnlyList<Domain.Schemes.CacheScheme> Schemes,
    SchedulerConfig Config,
    ArrivalSpec Arrivals,
    IReadOnlyList<double> Rates,
    Slo Slo,
    int Percentile,
    bool MaxRate,
    bool Overlapped,
    double? PricePerDeviceHour = null,
    string? PriceSource = null,
    double? IdleWatts = null);
