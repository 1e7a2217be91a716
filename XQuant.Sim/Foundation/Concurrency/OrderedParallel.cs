using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace XQuant.Sim.Foundation.Concurrency;

/// <summary>
/// Maps a sequence on up to N threads and yields the results in input order as soon as the head chunk is done.
/// Output order never depends on the thread count, so a sweep writes the same bytes on 1 and N threads; at most
/// <see cref="ChunksInFlightPerThread"/> chunks per thread are held, so a million-case sweep still streams.
/// </summary>
public static class OrderedParallel
{
    /// <summary>
    /// Items per chunk: the hand-off (~1 us) vanishes next to ~10 us per costed case, and the window stays small.
    /// Results held in flight survive gen0 collections and make every one of them copy (8 chunks of 256 whole case
    /// results measured 0.16-0.48x of one thread), so sweeps map a case to what they keep (run: its CSV lines).
    /// </summary>
    public const int DefaultChunk = 32;

    /// <summary>Enough queued work that a thread finishing early never waits for the consumer to hand out more.</summary>
    public const int ChunksInFlightPerThread = 2;

    /// <summary>The largest --threads accepted: far above any core count we run on, low enough to bound memory.</summary>
    public const int MaxThreads = 1024;

    /// <summary>A chunk size for a short list known in advance: several chunks per thread, never above the default.</summary>
    public static int ChunkFor(int count, int threads) =>
        Math.Clamp(count / (Math.Max(threads, 1) * ChunksInFlightPerThread), 1, DefaultChunk);

    /// <summary>Maps a list known in advance into an array, in order (see the streaming overload).</summary>
    public static TOut[] Map<TIn, TOut>(IReadOnlyList<TIn> source, Func<TIn, TOut> map, int threads, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Select(source, map, threads, ChunkFor(source.Count, threads), cancel).ToArray();
    }

    /// <summary>
    /// <paramref name="map"/> must be pure (thread-safe, no shared mutable state). With one thread this is a plain
    /// lazy Select on the calling thread. The source is enumerated on the calling thread only.
    /// </summary>
    public static IEnumerable<TOut> Select<TIn, TOut>(IEnumerable<TIn> source, Func<TIn, TOut> map, int threads, int chunk = DefaultChunk, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threads, MaxThreads);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        return threads == 1 ? Sequential(source, map, cancel) : Parallel(source, map, threads, chunk, cancel);
    }

    private static IEnumerable<TOut> Sequential<TIn, TOut>(IEnumerable<TIn> source, Func<TIn, TOut> map, CancellationToken cancel)
    {
        foreach (var item in source)
        {
            cancel.ThrowIfCancellationRequested();
            yield return map(item);
        }
    }

    private static IEnumerable<TOut> Parallel<TIn, TOut>(IEnumerable<TIn> source, Func<TIn, TOut> map, int threads, int chunk, CancellationToken cancel)
    {
        // The calling thread is one of the N: while the head chunk is not done it maps queued chunks itself instead
        // of blocking. A blocked consumer next to N workers put N + 1 threads on N cores: on this 2-core VM that
        // left 1.6 CPUs busy and cost 1.4x the CPU per case of one thread (measured with `xqsim bench --threads 2`).
        // A linked token stops the helpers when the consumer stops early (an exception while writing, a break).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var token = stop.Token;
        var pending = new ConcurrentQueue<Chunk<TIn, TOut>>();
        using var queued = new SemaphoreSlim(0);
        // Helpers start as chunks arrive, so a short sweep on --threads 1024 starts a thread per chunk, not 1023.
        var helpers = new List<Task>();
        var inFlight = new Queue<Chunk<TIn, TOut>>();
        int window = threads * ChunksInFlightPerThread;
        using var items = source.GetEnumerator();
        bool more = true;
        try
        {
            while (true)
            {
                while (more && inFlight.Count < window)
                {
                    cancel.ThrowIfCancellationRequested();
                    var batch = new List<TIn>(chunk);
                    while (batch.Count < chunk && (more = items.MoveNext()))
                    {
                        batch.Add(items.Current);
                    }
                    if (batch.Count > 0)
                    {
                        var c = new Chunk<TIn, TOut>(batch);
                        inFlight.Enqueue(c);
                        pending.Enqueue(c);
                        queued.Release();
                        if (helpers.Count < threads - 1)
                        {
                            helpers.Add(Task.Factory.StartNew(() => Help(pending, queued, map, token), token, TaskCreationOptions.LongRunning, TaskScheduler.Default));
                        }
                    }
                }
                if (inFlight.Count == 0)
                {
                    yield break;
                }
                var head = inFlight.Dequeue();
                // Oldest first, so the head is done as soon as possible; a chunk a helper holds is skipped.
                if (!head.IsDone)
                {
                    head.TryRun(map, token);
                    foreach (var c in inFlight)
                    {
                        if (head.IsDone)
                        {
                            break;
                        }
                        c.TryRun(map, token);
                    }
                }
                // Throw rethrows a worker's exception as itself (not wrapped), so callers see the real error.
                foreach (var result in head.WaitResults())
                {
                    yield return result;
                }
            }
        }
        finally
        {
            stop.Cancel();
            // Wait out the helpers: nothing keeps mapping behind a consumer that has stopped.
            foreach (var t in helpers)
            {
                try
                {
                    t.Wait(CancellationToken.None);
                }
                catch (AggregateException)
                {
                }
            }
        }
    }

    private static void Help<TIn, TOut>(ConcurrentQueue<Chunk<TIn, TOut>> pending, SemaphoreSlim queued, Func<TIn, TOut> map, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            try
            {
                queued.Wait(token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (pending.TryDequeue(out var c))
            {
                c.TryRun(map, token);
            }
        }
    }

    /// <summary>A run of consecutive items mapped by whichever thread claims it first.</summary>
    private sealed class Chunk<TIn, TOut>(List<TIn> items)
    {
        private readonly object _gate = new();
        private int _claimed;
        private bool _done;
        private TOut[]? _results;
        private ExceptionDispatchInfo? _error;

        public bool IsDone => Volatile.Read(ref _done);

        public void TryRun(Func<TIn, TOut> map, CancellationToken token)
        {
            if (Interlocked.CompareExchange(ref _claimed, 1, 0) != 0)
            {
                return;
            }
            try
            {
                var results = new TOut[items.Count];
                for (int i = 0; i < results.Length; i++)
                {
                    token.ThrowIfCancellationRequested();
                    results[i] = map(items[i]);
                }
                _results = results;
            }
            catch (Exception e)
            {
                // Kept for the consumer: it surfaces in input order, after every item before this chunk.
                _error = ExceptionDispatchInfo.Capture(e);
            }
            lock (_gate)
            {
                Volatile.Write(ref _done, true);
                Monitor.PulseAll(_gate);
            }
        }

        public TOut[] WaitResults()
        {
            lock (_gate)
            {
                while (!_done)
                {
                    Monitor.Wait(_gate);
                }
            }
            _error?.Throw();
            return _results!;
        }
    }
}
