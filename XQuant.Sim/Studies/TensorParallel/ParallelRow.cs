using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Planning;

namespace XQuant.Sim.Studies.TensorParallel;

/// <summary>
/// One model, node, TP degree and scheme: the costed case, or why it cannot run (<see cref="Problem"/>).
/// <see cref="CacheVsFp16"/> is the rank's cache bytes over the FP16 KV cache's at the same TP.
/// </summary>
public sealed record ParallelRow(
    ModelConfig Model,
    HardwareProfile Hardware,
    int TensorParallel,
    string Scheme,
    CaseResult? Case,
    double CacheVsFp16,
    double CommunicationShare,
    string? Problem);
