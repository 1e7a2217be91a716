using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Studies.WhatIf;

/// <summary>
/// Hypothetical devices: <see cref="Base"/> with DRAM bandwidth and dense BF16 peak replaced on a log grid of
/// <see cref="Points"/> x <see cref="Points"/> (other dtypes keep their ratio to BF16), and on-chip SRAM set to each
/// of <see cref="SramBytes"/> (null: the base's). <see cref="Shipped"/> are drawn as labelled points.
/// </summary>
public sealed record WhatIfRequest(
    ModelConfig Model,
    HardwareProfile Base,
    IReadOnlyList<CacheScheme> Schemes,
    double Batch,
    double ContextTokens,
    double BandwidthLo,
    double BandwidthHi,
    double PeakLo,
    double PeakHi,
    IReadOnlyList<double?> SramBytes,
    int Points,
    IReadOnlyList<HardwareProfile> Shipped);
