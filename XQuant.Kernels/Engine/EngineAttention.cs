using System.Collections.Concurrent;
using XQuant.Kernels.Attention;

namespace XQuant.Kernels.Engine;

/// <summary>
/// Flash-decoding over tiles of <see cref="TileTokens"/> cached tokens: tiles run in parallel (one dispatch), each
/// worker produces its tile's K and V (post-RoPE floats) with the scheme's producer and folds them into an
/// online-softmax state; the states are merged at the end. K and V never exist beyond one tile.
/// </summary>
internal static class EngineAttention
{
    public const int TileTokens = 64;

    public delegate void TileProducer(int t0, int n, TileBuffers buffers);

    /// <param name="sequential">Run the tiles in order on one thread: the same floating-point result on every run (the
    /// parallel merge order depends on scheduling, which moves results by an ulp or so).</param>
    public static void Run(float[] q, int tokens, AttentionShape shape, ConcurrentBag<TileBuffers> pool, Func<TileBuffers> create, TileProducer produce, Span<float> output, bool sequential = false)
    {
        int tiles = (tokens + TileTokens - 1) / TileTokens;
        if (sequential)
        {
            var b = pool.TryTake(out var x) ? x : create();
            Array.Fill(b.Max, float.NegativeInfinity);
            Array.Clear(b.Sum);
            Array.Clear(b.Acc);
            for (int tile = 0; tile < tiles; tile++)
            {
                int t0 = tile * TileTokens, n = Math.Min(TileTokens, tokens - t0);
                produce(t0, n, b);
                Consume(q, b, n, shape);
            }
            Merge([b], shape, output);
            pool.Add(b);
            return;
        }
        var used = new ConcurrentBag<TileBuffers>();
        Parallel.For(0, tiles, () =>
        {
            var b = pool.TryTake(out var x) ? x : create();
            Array.Fill(b.Max, float.NegativeInfinity);
            Array.Clear(b.Sum);
            Array.Clear(b.Acc);
            return b;
        }, (tile, _, b) =>
        {
            int t0 = tile * TileTokens, n = Math.Min(TileTokens, tokens - t0);
            produce(t0, n, b);
            Consume(q, b, n, shape);
            return b;
        }, used.Add);
        Merge(used, shape, output);
        foreach (var b in used)
        {
            pool.Add(b);
        }
    }

    private static void Consume(float[] q, TileBuffers b, int n, AttentionShape shape) =>
        OnlineSoftmax.Consume(q, b.K, b.V, n, shape, b.Max, b.Sum, b.Acc, b.Scores);

    private static void Merge(IEnumerable<TileBuffers> states, AttentionShape shape, Span<float> output) =>
        OnlineSoftmax.Merge(states.Select(b => (b.Max, b.Sum, b.Acc)).ToList(), shape, output);
}
