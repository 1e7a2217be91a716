using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Domain.Schemes;

/// <summary>
/// The options XQuant-CL and its GQA form share: delta bits, base layers and their bits, accumulator bits, group,
/// delta axis, metadata dtype, remat mode and dtype. One parser and one spec writer for both families.
/// </summary>
internal sealed record CrossLayerOptions(
    int DeltaBits, int BaseLayers, int BaseBits, int AccumulatorBits, int GroupSize, QuantAxis DeltaAxis, int MetadataBytesPerGroup, RematMode Mode, DType ComputeDType)
{
    public static readonly string[] Keys = ["base", "acc", "g", "axis", "meta", "remat", "rdtype"];

    public static CrossLayerOptions Parse(SchemeArgs a)
    {
        int bits = a.Bits(SchemeArgs.QuantBits, "delta bits");
        var baseSpec = a.LayersAtBits("base", (3, 4))!.Value;
        var o = new CrossLayerOptions(
            bits,
            baseSpec.Layers,
            baseSpec.Bits,
            a.Choice("acc", 4, [2, 3, 4, 8, 16]),
            a.Int("g", 128, 1, 65536),
            a.Axis("axis", QuantAxis.PerToken),
            a.MetadataBytes(),
            a.Remat(RematMode.Fused),
            a.DType("rdtype", DType.Bf16, [DType.Bf16, DType.Fp16, DType.Fp8, DType.Int8, DType.Fp32]));
        if (baseSpec.Layers < 1)
        {
            a.Errors.Add("option base: at least one base layer is needed (e.g. base=1@4)");
        }
        a.RejectUnknown(Keys);
        return o;
    }

    public static string Spec(string family, int deltaBits, int baseLayers, int baseBits, int accBits, int g, QuantAxis axis, int meta, RematMode mode, DType dtype) =>
        new SpecText(family, deltaBits)
            .Option("base", $"{baseLayers}@{baseBits}", "3@4")
            .Option("acc", accBits, 4)
            .Option("g", g, 128)
            .Option("axis", axis == QuantAxis.PerToken ? "token" : "channel", "token")
            .Option("meta", meta == 8 ? "fp32" : "fp16", "fp16")
            .Option("remat", SchemeArgs.RematName(mode), "fused")
            .Option("rdtype", dtype.Name(), "bf16")
            .ToString();

    /// <summary>Problems common to both: base layers within the model, a group that fits the stored width.</summary>
    public static List<string> Validate(int baseLayers, int baseBits, int groupSize, int width, string widthName, Models.ModelConfig model)
    {
        var problems = new List<string>();
        if (baseLayers < 1 || baseLayers > model.Layers)
        {
            problems.Add($"base={baseLayers}@{baseBits}: base layers must be 1 to {model.Layers} (the layers of {model.Id})");
        }
        if (groupSize > width)
        {
            problems.Add($"g={groupSize} is larger than {widthName}={width} of {model.Id}");
        }
        if (model.Window is not null)
        {
            // A global layer needs every earlier layer's delta of every token, so local layers could not drop theirs.
            problems.Add($"{model.Id} has local (sliding-window) layers; cross-layer deltas are not modelled with them");
        }
        return problems;
    }
}
