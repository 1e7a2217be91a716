using XQuant.Kernels.Engine;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Studies.Measurement;

/// <summary>The cost model's view of the decode engine: the same shapes as a <see cref="ModelConfig"/>, the same cache layouts as schemes.</summary>
public static class EngineModel
{
    public static ModelConfig ToModelConfig(EngineConfig c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new ModelConfig
        {
            Id = $"engine-d{c.Hidden}-l{c.Layers}",
            HiddenSize = c.Hidden,
            Layers = c.Layers,
            Heads = c.Heads,
            KvHeads = c.KvHeads,
            HeadDim = c.HeadDim,
            IntermediateSize = c.Intermediate,
            VocabSize = c.Vocab,
            MaxPositionEmbeddings = c.MaxContext,
            TieWordEmbeddings = false,
            TorchDtype = "float32",
            SourcePath = "engine (synthetic, seeded)",
        };
    }

    /// <summary>The cost-model scheme with the engine's layout (parsed from <see cref="EngineScheme.SimSpec"/>).</summary>
    public static CacheScheme ToCacheScheme(EngineScheme s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var errors = new List<string>();
        return SchemeRegistry.TryParse(s.SimSpec, errors) ?? throw new InvalidOperationException($"engine scheme {s.SimSpec}: {string.Join("; ", errors)}");
    }

    /// <summary>Engine schemes by name: fp16, kivi:B, xquant:B, xquant-cl:B, xquant-gqa:B, xquant-cl-gqa:B.</summary>
    public static EngineScheme ParseScheme(string text, string source = "--schemes")
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        int colon = t.IndexOf(':', StringComparison.Ordinal);
        string family = colon < 0 ? t : t[..colon];
        int bits = 0;
        bool bitsOk = colon < 0 || (int.TryParse(t[(colon + 1)..], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out bits) && bits is 2 or 3 or 4 or 8);
        if (!bitsOk)
        {
            throw new InputException(source, t, "bits must be 2, 3, 4 or 8");
        }
        return family switch
        {
            "fp16" when colon < 0 => EngineScheme.Fp16,
            "kivi" when colon >= 0 => EngineScheme.Kivi(bits),
            "xquant" when colon >= 0 => EngineScheme.XQuant(bits),
            "xquant-cl" when colon >= 0 => EngineScheme.XQuantCl(bits),
            "xquant-gqa" when colon >= 0 => EngineScheme.XQuantGqa(bits),
            "xquant-cl-gqa" when colon >= 0 => EngineScheme.XQuantClGqa(bits),
            _ => throw new InputException(source, t, "the engine runs fp16, kivi:BITS, xquant:BITS, xquant-cl:BITS, xquant-gqa:BITS, xquant-cl-gqa:BITS"),
        };
    }
}
