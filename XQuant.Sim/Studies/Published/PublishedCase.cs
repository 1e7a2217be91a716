using XQuant.Sim.CostModel;
using XQuant.Sim.Hardware;
using XQuant.Sim.Models;
using XQuant.Sim.Schemes;

namespace XQuant.Sim.Studies.Published;

/// <summary>
/// A published row resolved to what the cost model needs: the profile, the model shape, the weight format and the
/// cache scheme. <see cref="Assumptions"/> lists every choice the row did not state (e.g. an unstated KV dtype).
/// </summary>
public sealed record PublishedCase(
    PublishedRow Row,
    HardwareProfile Hardware,
    ModelConfig Model,
    WeightPrecision Weights,
    CacheScheme Scheme,
    IReadOnlyList<string> Assumptions);
