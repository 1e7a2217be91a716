using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Domain.CostModel;

/// <summary>
/// How weights are stored. Weight-only formats (int4, int8) are dequantized to the GEMM dtype on the fly, so
/// weight precision and compute dtype are separate parameters.
/// </summary>
public enum WeightPrecision
{
    Bf16,
    Fp8,
    Int8,

    /// <summary>4-bit weight-only with one FP16 scale per group of 128: 4.125 bits per weight.</summary>
    Int4,
}

public static class WeightPrecisions
{
    public static readonly IReadOnlyList<WeightPrecision> All = Enum.GetValues<WeightPrecision>();

    public static string Name(this WeightPrecision w) => w switch
    {
        WeightPrecision.Bf16 => "bf16",
        WeightPrecision.Fp8 => "fp8",
        WeightPrecision.Int8 => "int8",
        WeightPrecision.Int4 => "int4",
        _ => throw new ArgumentOutOfRangeException(nameof(w)),
    };

    public static double BytesPerWeight(this WeightPrecision w) => w switch
    {
        WeightPrecision.Bf16 => 2.0,
        WeightPrecision.Fp8 => 1.0,
        WeightPrecision.Int8 => 1.0,
        WeightPrecision.Int4 => 0.5 + 2.0 / 128,
        _ => throw new ArgumentOutOfRangeException(nameof(w)),
    };

    /// <summary>FP8 weights multiply in FP8 where the device has it; every other format computes in BF16.</summary>
    public static DType DefaultGemmDType(this WeightPrecision w) => w == WeightPrecision.Fp8 ? DType.Fp8 : DType.Bf16;

    public static bool TryParse(string s, out WeightPrecision w)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.Name(), s, StringComparison.Ordinal))
            {
                w = candidate;
                return true;
            }
        }
        w = default;
        return false;
    }

    public static IReadOnlyList<string> Names => All.Select(Name).ToList();
}
