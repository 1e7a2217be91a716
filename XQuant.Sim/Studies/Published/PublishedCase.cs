using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Parallelism;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Studies.Published;

/// <summary>
/// A published row resolved to what the cost model needs: the profile, the model shape, the weight format and the
/// cache scheme. <see cref="Assumptions"/> lists every choice the row did not state (e.g. an unstated KV dtype).
/// </summary>
/// <param name="WeightBytesScale">The row's stated bits per weight over the format's (e.g. 4.85-bit Q4_K_M over int4's
/// 4.125): weight traffic is scaled by it; 1 where the row states none.</param>
/// <param name="Parallel">How one replica spreads over devices (null: one device per replica).</param>
/// <param name="Replicas">Independent copies of the model serving the row's load: devices / (TP x PP).</param>
public sealed record PublishedCase(
    PublishedRow Row,
    HardwareProfile Hardware,
    ModelConfig Model,
    WeightPrecision Weights,
    CacheScheme Scheme,
    IReadOnlyList<string> Assumptions,
    double WeightBytesScale = 1.0,
    ParallelPlan? Parallel = null,
    int Replicas = 1);
