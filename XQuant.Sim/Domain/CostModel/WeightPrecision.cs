using System.Globalization;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Domain.CostModel;

/// <summary>
/// How weights are stored, and what the GEMMs compute in. Weight-only formats (int4, int8) are dequantized to the GEMM
/// dtype on the fly, so weight precision and compute dtype are separate parameters. <see cref="BitsOverride"/> is an
/// explicit effective width with the block scales counted (GGUF Q4_0 = 4.5, Q8_0 = 8.5, Q4_K_M about 4.85), which
/// replaces the format's own. FP4 formats (nvfp4, mxfp4) quantize the activations to FP4 too unless
/// <see cref="Fp4Activations"/> is false (weight-only, "a16"): only with both operands in FP4 is a GEMM timed at the
/// device's FP4 peak.
/// </summary>
public sealed record WeightPrecision(WeightFormat Format, double? BitsOverride = null, bool Fp4Activations = true)
{
    public static readonly WeightPrecision Bf16 = new(WeightFormat.Bf16);
    public static readonly WeightPrecision Fp8 = new(WeightFormat.Fp8);
    public static readonly WeightPrecision Int8 = new(WeightFormat.Int8);

    /// <summary>4-bit weight-only with one FP16 scale per group of 128: 4.125 bits per weight.</summary>
    public static readonly WeightPrecision Int4 = new(WeightFormat.Int4);

    /// <summary>NVFP4 weights and activations: (4 + 8/16) = 4.5 bits per weight; GEMMs at the FP4 peak where published.</summary>
    public static readonly WeightPrecision Nvfp4 = new(WeightFormat.Nvfp4);

    /// <summary>MXFP4 weights and activations: (4 + 8/32) = 4.25 bits per weight; GEMMs at the FP4 peak where published.</summary>
    public static readonly WeightPrecision Mxfp4 = new(WeightFormat.Mxfp4);

    public bool IsFp4 => Format is WeightFormat.Nvfp4 or WeightFormat.Mxfp4;

    public override string ToString() => this.Name();
}

public static class WeightPrecisions
{
    /// <summary>The plain formats (no bits= or a16 option), in order.</summary>
    public static readonly IReadOnlyList<WeightPrecision> All =
        [WeightPrecision.Bf16, WeightPrecision.Fp8, WeightPrecision.Int8, WeightPrecision.Int4, WeightPrecision.Nvfp4, WeightPrecision.Mxfp4];

    /// <summary>GGUF block formats with an exact width: Q4_0 (32 x 4 bits + an FP16 scale per block of 32) and Q8_0 (32 x 8 bits + an FP16 scale).</summary>
    public static readonly IReadOnlyDictionary<string, WeightPrecision> Aliases = new Dictionary<string, WeightPrecision>(StringComparer.Ordinal)
    {
        ["q4_0"] = new(WeightFormat.Int4, 4.5),
        ["q8_0"] = new(WeightFormat.Int8, 8.5),
    };

    public static string FormatName(WeightFormat f) => f switch
    {
        WeightFormat.Bf16 => "bf16",
        WeightFormat.Fp8 => "fp8",
        WeightFormat.Int8 => "int8",
        WeightFormat.Int4 => "int4",
        WeightFormat.Nvfp4 => "nvfp4",
        WeightFormat.Mxfp4 => "mxfp4",
        _ => throw new ArgumentOutOfRangeException(nameof(f)),
    };

    /// <summary>The text that parses back to this precision: "int4", "int4,bits=4.5", "nvfp4,a16".</summary>
    public static string Name(this WeightPrecision w)
    {
        ArgumentNullException.ThrowIfNull(w);
        string name = FormatName(w.Format);
        if (w.BitsOverride is double bits)
        {
            name += string.Create(CultureInfo.InvariantCulture, $",bits={bits}");
        }
        if (w.IsFp4 && !w.Fp4Activations)
        {
            name += ",a16";
        }
        return name;
    }

    /// <summary>Bits per weight of the format with its scales: int4 4 + 16/128; nvfp4 4 + 8/16; mxfp4 4 + 8/32 (per-tensor FP32 scales, 4 bytes a matrix, not counted).</summary>
    public static double FormatBits(WeightFormat f) => f switch
    {
        WeightFormat.Bf16 => 16,
        WeightFormat.Fp8 => 8,
        WeightFormat.Int8 => 8,
        WeightFormat.Int4 => 4 + 16.0 / 128,
        WeightFormat.Nvfp4 => 4 + 8.0 / 16,
        WeightFormat.Mxfp4 => 4 + 8.0 / 32,
        _ => throw new ArgumentOutOfRangeException(nameof(f)),
    };

    public static double BytesPerWeight(this WeightPrecision w)
    {
        ArgumentNullException.ThrowIfNull(w);
        return w.BitsOverride is double bits ? bits / 8 : w.Format switch
        {
            // Kept as the historical expressions so every existing number stays the same to the digit.
            WeightFormat.Bf16 => 2.0,
            WeightFormat.Fp8 => 1.0,
            WeightFormat.Int8 => 1.0,
            WeightFormat.Int4 => 0.5 + 2.0 / 128,
            _ => FormatBits(w.Format) / 8,
        };
    }

    /// <summary>
    /// FP8 weights multiply in FP8 and FP4 weights with FP4 activations in FP4, where the device has that rate (else at
    /// the best peak it has, with a note); every other format computes in BF16.
    /// </summary>
    public static DType DefaultGemmDType(this WeightPrecision w)
    {
        ArgumentNullException.ThrowIfNull(w);
        return w.Format == WeightFormat.Fp8 ? DType.Fp8 : w.IsFp4 && w.Fp4Activations ? DType.Fp4 : DType.Bf16;
    }

    /// <summary>Parses "bf16", "int4,bits=4.5", "nvfp4,a16", "q4_0"; false with a reason otherwise.</summary>
    public static bool TryParse(string s, out WeightPrecision w) => TryParse(s, out w, out _);

    public static bool TryParse(string s, out WeightPrecision w, out string error)
    {
        ArgumentNullException.ThrowIfNull(s);
        w = WeightPrecision.Bf16;
        error = "";
        string text = s.Trim();
        if (Aliases.TryGetValue(text.ToLowerInvariant(), out var alias))
        {
            w = alias;
            return true;
        }
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var format = All.FirstOrDefault(p => string.Equals(FormatName(p.Format), parts[0], StringComparison.Ordinal));
        if (format is null)
        {
            error = $"'{JsonFields.Truncate(s)}' is not a weight precision (allowed: {string.Join(", ", Names)}, with ,bits=B (int4, int8) or ,a16 (nvfp4, mxfp4); or {string.Join(", ", Aliases.Keys)})";
            return false;
        }
        double? bits = null;
        bool a16 = false;
        foreach (string opt in parts.Skip(1))
        {
            if (opt == "a16" && format.IsFp4 && !a16)
            {
                a16 = true;
            }
            else if (opt.StartsWith("bits=", StringComparison.Ordinal) && format.Format is WeightFormat.Int4 or WeightFormat.Int8 && bits is null
                && double.TryParse(opt[5..], NumberStyles.Float, CultureInfo.InvariantCulture, out double b) && b >= 1 && b <= 16)
            {
                bits = b;
            }
            else
            {
                error = $"'{JsonFields.Truncate(opt)}' in '{JsonFields.Truncate(s)}' is not a weight option (int4 and int8 take bits=B, B from 1 to 16, the effective bits per weight with scales; nvfp4 and mxfp4 take a16 for weight-only)";
                return false;
            }
        }
        w = format with { BitsOverride = bits, Fp4Activations = !a16 };
        return true;
    }

    public static IReadOnlyList<string> Names => All.Select(Name).ToList();
}
