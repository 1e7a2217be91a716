namespace XQuant.Sim.Domain.CostModel;

/// <summary>The storage format of weights (see <see cref="WeightPrecision"/> for bytes per weight and GEMM dtype).</summary>
public enum WeightFormat
{
    Bf16,
    Fp8,
    Int8,

    /// <summary>4-bit integer weight-only; one FP16 scale per group of 128 unless bits= says otherwise (GGUF Q4_0: 4.5).</summary>
    Int4,

    /// <summary>NVFP4: E2M1 values, an E4M3 scale per 16 and an FP32 scale per tensor: 4.5 bits per weight.</summary>
    Nvfp4,

    /// <summary>MXFP4 (OCP microscaling): E2M1 values and an E8M0 scale per 32: 4.25 bits per weight.</summary>
    Mxfp4,
}
