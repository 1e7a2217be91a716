namespace XQuant.Sim.Domain.Hardware;

/// <summary>Numeric formats a device can compute in or a tensor can be stored in.</summary>
public enum DType
{
    Fp32,
    Tf32,
    Bf16,
    Fp16,
    Fp8,
    Int8,
    Int4,

    /// <summary>FP4 (E2M1, NVFP4 / MXFP4 block-scaled) matrix rate, where a device publishes one.</summary>
    Fp4,

    /// <summary>FP6 (E2M3 / E3M2, MXFP6) matrix rate, where a device publishes one.</summary>
    Fp6,
}

public static class DTypes
{
    public static readonly IReadOnlyList<DType> All = Enum.GetValues<DType>();

    public static string Name(this DType t) => t switch
    {
        DType.Fp32 => "fp32",
        DType.Tf32 => "tf32",
        DType.Bf16 => "bf16",
        DType.Fp16 => "fp16",
        DType.Fp8 => "fp8",
        DType.Int8 => "int8",
        DType.Int4 => "int4",
        DType.Fp4 => "fp4",
        DType.Fp6 => "fp6",
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    public static bool TryParse(string s, out DType t)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.Name(), s, StringComparison.Ordinal))
            {
                t = candidate;
                return true;
            }
        }
        t = default;
        return false;
    }

    public static IReadOnlyList<string> Names => All.Select(Name).ToList();
}
