namespace XQuant.Kernels.Engine;

/// <summary>The cache families the engine runs.</summary>
public enum EngineSchemeKind
{
    /// <summary>K and V in fp16; keys stored after RoPE.</summary>
    Fp16,

    /// <summary>KIVI*: keys per-channel, values per-token, groups of G, an fp16 window of the latest tokens; keys pre-RoPE.</summary>
    Kivi,

    /// <summary>XQuant: Q(X) per-token; K and V rematerialized from X^ every step (fused, per tile).</summary>
    XQuant,

    /// <summary>XQuant-CL: base layers store Q(X), later layers Q(X - X^_prev); an fp16 accumulator carries X^.</summary>
    XQuantCl,

    /// <summary>XQuant for GQA: SVD latents X Uk per-channel and X Uv per-token (d_kv wide each), K and V = latent x S B^T.</summary>
    XQuantGqa,

    /// <summary>
    /// XQuant-CL for GQA: latents X Ukv of Wkv = [Wk | Wv] (2 d_kv wide); base layers store Q(X Ukv), later layers
    /// Q((X_i - X^_(i-1)) Ukv_i); an fp16 d-wide accumulator carries X^_i = X^_(i-1) + deQ(delta) Ukv_i^T, K|V = X^_i Wkv.
    /// </summary>
    XQuantClGqa,
}

/// <summary>
/// One cache scheme as the engine runs it: the family and the few parameters the engine honours. A caller that
/// accounts for cache bytes elsewhere maps these fields to its own description of the same layout.
/// </summary>
/// <param name="Bits">Quantized bits (KIVI, XQuant) or delta bits (XQuant-CL).</param>
/// <param name="WindowTokens">KIVI's fp16 window W: the engine keeps between W and W + G - 1 recent tokens in fp16 and
/// quantizes the oldest G together when W + G are waiting, so at contexts l = W + kG it holds exactly W.</param>
/// <param name="SvdShards">XQuant-GQA only: 1 factors the whole Wk and Wv; S factors each of S column slices (one
/// device's KV heads under S-way tensor parallelism), so every latent channel belongs to one device.</param>
public sealed record EngineScheme(EngineSchemeKind Kind, int Bits = 16, int GroupSize = 128, int WindowTokens = 128, int BaseLayers = 3, int BaseBits = 4, bool Fp16FirstChannel = false, int SvdShards = 1)
{
    public static EngineScheme Fp16 => new(EngineSchemeKind.Fp16);

    public static EngineScheme Kivi(int bits) => new(EngineSchemeKind.Kivi, bits);

    public static EngineScheme XQuant(int bits) => new(EngineSchemeKind.XQuant, bits, WindowTokens: 0);

    public static EngineScheme XQuantCl(int deltaBits, int baseLayers = 3, int baseBits = 4) =>
        new(EngineSchemeKind.XQuantCl, deltaBits, WindowTokens: 0, BaseLayers: baseLayers, BaseBits: baseBits);

    /// <summary>XQuant-CL on the latents of Wkv = [Wk | Wv] (needs 2 kv_dim &lt;= hidden, i.e. a GQA model).</summary>
    public static EngineScheme XQuantClGqa(int deltaBits, int baseLayers = 3, int baseBits = 4) =>
        new(EngineSchemeKind.XQuantClGqa, deltaBits, WindowTokens: 0, BaseLayers: baseLayers, BaseBits: baseBits);

    /// <summary>XQuant-GQA latents; the key latent is per-channel, so it keeps KIVI's fp16 window of up to G tokens.</summary>
    public static EngineScheme XQuantGqa(int bits, bool fp16FirstChannel = false) =>
        new(EngineSchemeKind.XQuantGqa, bits, Fp16FirstChannel: fp16FirstChannel);

    /// <summary>True for schemes that rematerialize K and V from X (or its latents).</summary>
    public bool Remats => Kind is EngineSchemeKind.XQuant or EngineSchemeKind.XQuantCl or EngineSchemeKind.XQuantGqa or EngineSchemeKind.XQuantClGqa;

    public string Name => Kind switch
    {
        EngineSchemeKind.Fp16 => "fp16",
        EngineSchemeKind.Kivi => $"kivi:{Bits}",
        EngineSchemeKind.XQuant => $"xquant:{Bits}",
        EngineSchemeKind.XQuantCl => $"xquant-cl:{Bits}",
        EngineSchemeKind.XQuantGqa => (Fp16FirstChannel ? $"xquant-gqa:{Bits},fp16first=1" : $"xquant-gqa:{Bits}") + (SvdShards == 1 ? "" : $",svd=per-rank (x{SvdShards})"),
        EngineSchemeKind.XQuantClGqa => $"xquant-cl-gqa:{Bits}",
        _ => throw new ArgumentOutOfRangeException(nameof(Kind)),
    };

    public override string ToString() => Name;
}
