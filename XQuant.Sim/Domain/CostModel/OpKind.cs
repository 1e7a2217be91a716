namespace XQuant.Sim.Domain.CostModel;

/// <summary>The kernel class of an op; validation scores predictions per class.</summary>
public enum OpKind
{
    Gemm,
    Elementwise,
    Attention,
    Quantize,
    Dequantize,
    Remat,
}
