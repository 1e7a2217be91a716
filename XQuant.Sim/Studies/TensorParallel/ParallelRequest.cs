using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Studies.TensorParallel;

/// <summary>Models x nodes x TP degrees x schemes, decoded at one batch and context (PP = 1).</summary>
public sealed record ParallelRequest(
    IReadOnlyList<ModelConfig> Models,
    IReadOnlyList<HardwareProfile> Hardware,
    IReadOnlyList<int> TensorParallel,
    IReadOnlyList<string> SchemeSpecs,
    double Batch,
    double ContextTokens,
    WeightPrecision Weights);
