using XQuant.Kernels.Engine;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Schemes;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Studies.Measurement;

/// <summary>
/// The bridge between the decode engine and the cost model: engine shapes as a <see cref="ModelConfig"/>, and engine
/// schemes to and from <see cref="CacheScheme"/>, so every scheme a user types is parsed by the one scheme grammar
/// (<see cref="SchemeRegistry"/>) and the bytes the engine holds are accounted exactly.
/// </summary>
public static class EngineModel
{
    private static readonly int[] EngineBits = [2, 3, 4, 8];

    public static ModelConfig ToModelConfig(EngineConfig c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new ModelConfig
        {
            Id = $"engine-d{c.HiddenSize}-l{c.Layers}",
            HiddenSize = c.HiddenSize,
            Layers = c.Layers,
            Heads = c.Heads,
            KvHeads = c.KvHeads,
            HeadDim = c.HeadDim,
            IntermediateSize = c.IntermediateSize,
            VocabSize = c.VocabSize,
            MaxPositionEmbeddings = c.MaxContext,
            TieWordEmbeddings = false,
            TorchDtype = "float32",
            SourcePath = "engine (synthetic, seeded)",
        };
    }

    /// <summary>
    /// The cost-model scheme with the engine's layout: rematerialization in fp32 (the CPU computes fp32) and, for the
    /// cross-layer schemes, an fp16 accumulator (what the engine keeps).
    /// </summary>
    public static CacheScheme ToCacheScheme(EngineScheme s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return s.Kind switch
        {
            EngineSchemeKind.Fp16 => new Fp16KvScheme(),
            EngineSchemeKind.Kivi => new KiviScheme(s.Bits, s.GroupSize, s.WindowTokens),
            EngineSchemeKind.XQuant => new XQuantScheme(s.Bits, s.GroupSize, ComputeDType: DType.Fp32),
            EngineSchemeKind.XQuantCl => new XQuantClScheme(s.Bits, s.BaseLayers, s.BaseBits, AccumulatorBits: 16, GroupSize: s.GroupSize, ComputeDType: DType.Fp32),
            EngineSchemeKind.XQuantGqa => new XQuantGqaScheme(s.Bits, s.GroupSize, s.WindowTokens, s.Fp16FirstChannel, ComputeDType: DType.Fp32, Svd: s.SvdShards == 1 ? TpLayout.SvdGlobal : TpLayout.SvdPerRank),
            EngineSchemeKind.XQuantClGqa => new XQuantClGqaScheme(s.Bits, s.BaseLayers, s.BaseBits, AccumulatorBits: 16, GroupSize: s.GroupSize, ComputeDType: DType.Fp32),
            _ => throw new ArgumentOutOfRangeException(nameof(s)),
        };
    }

    /// <summary>
    /// The engine scheme for a parsed scheme, or null with a reason when the engine cannot run it. The engine honours
    /// the family, bits (2, 3, 4, 8), g, window (KIVI, xquant-gqa), base (cross-layer) and fp16first; it always
    /// rematerializes fused in fp32 with an fp16 accumulator, so rdtype and acc are free; any other option is refused.
    /// </summary>
    public static EngineScheme? FromCacheScheme(CacheScheme scheme, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        EngineScheme? e = scheme switch
        {
            Fp16KvScheme => EngineScheme.Fp16,
            KiviScheme k => EngineScheme.Kivi(k.Bits) with { GroupSize = k.GroupSize, WindowTokens = k.WindowTokens },
            XQuantScheme x => EngineScheme.XQuant(x.Bits) with { GroupSize = x.GroupSize },
            XQuantClScheme c => EngineScheme.XQuantCl(c.DeltaBits, c.BaseLayers, c.BaseBits) with { GroupSize = c.GroupSize },
            // svd=per-rank: 0 shards until the run says how many ranks (AccuracyRequest.TensorParallel).
            XQuantGqaScheme g => EngineScheme.XQuantGqa(g.Bits, g.Fp16FirstChannel) with { GroupSize = g.GroupSize, WindowTokens = g.WindowTokens, SvdShards = g.Svd == TpLayout.SvdPerRank ? 0 : 1 },
            XQuantClGqaScheme c => EngineScheme.XQuantClGqa(c.DeltaBits, c.BaseLayers, c.BaseBits) with { GroupSize = c.GroupSize },
            _ => null,
        };
        if (e is null)
        {
            reason = $"the engine does not run the {scheme.Family} family";
            return null;
        }
        if (e.Kind != EngineSchemeKind.Fp16 && (!EngineBits.Contains(e.Bits) || (e.Kind is EngineSchemeKind.XQuantCl or EngineSchemeKind.XQuantClGqa && !EngineBits.Contains(e.BaseBits))))
        {
            reason = "the engine quantizes at 2, 3, 4 or 8 bits";
            return null;
        }
        // What the engine runs, described back in the cost model's terms, must be the scheme asked for (up to the
        // options the engine fixes): otherwise an option would be silently ignored.
        var back = ToCacheScheme(e);
        var asked = scheme switch
        {
            XQuantScheme x => x with { ComputeDType = DType.Fp32 },
            XQuantClScheme c => c with { ComputeDType = DType.Fp32, AccumulatorBits = 16 },
            XQuantGqaScheme g => g with { ComputeDType = DType.Fp32 },
            XQuantClGqaScheme c => c with { ComputeDType = DType.Fp32, AccumulatorBits = 16 },
            _ => scheme,
        };
        if (back != asked)
        {
            reason = "the engine honours only the bits, g, window, base and fp16first options (remat is fused in fp32, metadata fp16)";
            return null;
        }
        reason = null;
        return e;
    }

    /// <summary>Engine schemes in the scheme grammar (e.g. "fp16,kivi:2,xquant-gqa:2,fp16first=1"); every problem reported at once.</summary>
    public static IReadOnlyList<EngineScheme> ParseSchemes(string text, string source = "--schemes")
    {
        ArgumentNullException.ThrowIfNull(text);
        var parsed = SchemeRegistry.ParseList(SchemeRegistry.SplitCliList(text), source);
        var errors = new List<InputError>();
        var list = new List<EngineScheme>();
        foreach (var s in parsed)
        {
            if (FromCacheScheme(s, out string? reason) is { } e)
            {
                list.Add(e);
            }
            else
            {
                errors.Add(new InputError(source, s.Spec, reason!));
            }
        }
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }
        return list;
    }

    /// <summary>One engine scheme (see <see cref="ParseSchemes"/>).</summary>
    public static EngineScheme ParseScheme(string text, string source = "--schemes")
    {
        var list = ParseSchemes(text, source);
        return list.Count == 1 ? list[0] : throw new InputException(source, text, $"names {list.Count} schemes; one is expected");
    }
}
