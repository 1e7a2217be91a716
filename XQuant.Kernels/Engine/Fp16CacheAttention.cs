using System.Collections.Concurrent;

namespace XQuant.Kernels.Engine;

/// <summary>
/// The decode engine's attention over an FP16 KV cache (keys stored after RoPE), as a standalone kernel: the same
/// store, tile producer (FP16 rows widened to fp32 per 64-token tile) and flash-decoding loop the fp16 engine runs,
/// over a cache filled with seeded random rows. Calibration and validation time it because widening FP16 per tile
/// costs a CPU about a third more than attention over float K/V, so one attention rate cannot serve both.
/// </summary>
public sealed class Fp16CacheAttention
{
    private readonly EngineConfig config;
    private readonly Fp16Store store;
    private readonly ConcurrentBag<TileBuffers> pool = [];
    private readonly float[] output;

    public Fp16CacheAttention(int tokens, int heads, int kvHeads, int headDim, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 1);
        config = new EngineConfig(heads * headDim, 1, heads, kvHeads, headDim, 1, 1, tokens);
        Tokens = tokens;
        store = new Fp16Store(config.KvDim, tokens);
        var rng = new Random(seed);
        var k = new float[config.KvDim];
        var v = new float[config.KvDim];
        for (int t = 0; t < tokens; t++)
        {
            for (int i = 0; i < k.Length; i++)
            {
                k[i] = (2 * rng.NextSingle()) - 1;
                v[i] = (2 * rng.NextSingle()) - 1;
            }
            store.Append(k, v);
        }
        output = new float[config.QDim];
    }

    public int Tokens { get; }

    /// <summary>The cached K and V rows widened to fp32 (tokens x KvDim each), for checks against a reference.</summary>
    public (float[] K, float[] V) CachedRows()
    {
        var k = new float[(long)Tokens * config.KvDim];
        var v = new float[(long)Tokens * config.KvDim];
        store.Read(0, Tokens, k, v);
        return (k, v);
    }

    /// <summary>One query's attention over every cached token; returns the QDim output (reused between calls).</summary>
    public float[] Run(float[] q)
    {
        ArgumentNullException.ThrowIfNull(q);
        EngineAttention.Run(q, Tokens, config.Shape, pool, () => new TileBuffers(config), (t0, n, b) =>
            store.Read(t0, n, b.K.AsSpan(0, n * config.KvDim), b.V.AsSpan(0, n * config.KvDim)), output);
        return output;
    }
}
