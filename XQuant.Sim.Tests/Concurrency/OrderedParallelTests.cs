using XQuant.Sim.Foundation.Concurrency;

namespace XQuant.Sim.Tests.Concurrency;

[TestClass]
public sealed class OrderedParallelTests
{
    /// <summary>Uneven work (later items cheaper), so chunks finish out of order and the ordering is really exercised.</summary>
    private static long Work(int i)
    {
        long acc = i;
        for (int k = 0; k < (5000 - i) % 997 * 50; k++)
        {
            acc = (acc * 6364136223846793005L) + 1442695040888963407L;
        }
        return acc;
    }

    [TestMethod]
    [DataRow(1, 1)]
    [DataRow(2, 1)]
    [DataRow(3, 7)]
    [DataRow(4, 32)]
    [DataRow(2, 5000)]
    public void Results_ComeInInputOrder_OnAnyThreadCount(int threads, int chunk)
    {
        var expected = Enumerable.Range(0, 5000).Select(Work).ToList();
        var actual = OrderedParallel.Select(Enumerable.Range(0, 5000), Work, threads, chunk).ToList();
        CollectionAssert.AreEqual(expected, actual);
    }

    [TestMethod]
    public void Source_IsEnumeratedOnce_OnTheCallingThread()
    {
        int caller = Environment.CurrentManagedThreadId;
        var seen = new List<int>();
        IEnumerable<int> Source()
        {
            for (int i = 0; i < 1000; i++)
            {
                seen.Add(Environment.CurrentManagedThreadId);
                yield return i;
            }
        }
        var result = OrderedParallel.Select(Source(), i => i * 2, threads: 3, chunk: 10).ToList();
        Assert.HasCount(1000, result);
        Assert.AreEqual(1998, result[^1]);
        Assert.HasCount(1000, seen);
        Assert.IsTrue(seen.All(t => t == caller), "the source was enumerated off the calling thread");
    }

    [TestMethod]
    public void WorkerException_SurfacesAsItself_AfterTheItemsBeforeIt()
    {
        var got = new List<int>();
        var e = Assert.ThrowsExactly<InvalidOperationException>(() =>
        {
            foreach (int v in OrderedParallel.Select(Enumerable.Range(0, 1000), i => i == 500 ? throw new InvalidOperationException("item 500") : i, threads: 2, chunk: 16))
            {
                got.Add(v);
            }
        });
        Assert.AreEqual("item 500", e.Message);
        CollectionAssert.AreEqual(Enumerable.Range(0, 496).ToList(), got); // the whole chunks before the failing one
    }

    [TestMethod]
    public void Cancellation_StopsTheSweep()
    {
        using var cts = new CancellationTokenSource();
        int seen = 0;
        Assert.Throws<OperationCanceledException>(() =>
        {
            foreach (int v in OrderedParallel.Select(Enumerable.Range(0, 1_000_000), Work, threads: 2, chunk: 8, cancel: cts.Token))
            {
                if (++seen == 100)
                {
                    cts.Cancel();
                }
            }
        });
        Assert.IsLessThan(1_000_000, seen);
    }

    [TestMethod]
    public void StoppingEarly_LeavesNoWorkerRunning()
    {
        int mapped = 0;
        var first = OrderedParallel.Select(Enumerable.Range(0, 1_000_000), i => { Interlocked.Increment(ref mapped); return Work(i); }, threads: 2, chunk: 8).Take(50).ToList();
        Assert.HasCount(50, first);
        int after = Volatile.Read(ref mapped);
        Thread.Sleep(50);
        Assert.AreEqual(after, Volatile.Read(ref mapped), "workers kept mapping after the consumer stopped");
        // At most the 7 chunks consumed plus one full window (2 threads x ChunksInFlightPerThread chunks) of 8 items were handed out.
        Assert.IsLessThanOrEqualTo((7 + (2 * OrderedParallel.ChunksInFlightPerThread)) * 8, after);
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public void TheCallingThread_IsOneOfTheN_AndNoMoreThanNMapAtOnce()
    {
        // Item 0 waits until item 8 (the next chunk) is mapped, so two threads must map at the same time. With one
        // helper besides the caller, the caller has to be one of them: a consumer that only waited would hang here.
        int caller = Environment.CurrentManagedThreadId;
        var mappers = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
        int running = 0, most = 0, nextChunkDone = 0;
        long Map(int i)
        {
            mappers[Environment.CurrentManagedThreadId] = true;
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            if (i == 0)
            {
                Assert.IsTrue(SpinWait.SpinUntil(() => Volatile.Read(ref nextChunkDone) == 1, 30_000), "no second thread mapped the next chunk");
            }
            long r = Work(i);
            if (i == 8)
            {
                Volatile.Write(ref nextChunkDone, 1);
            }
            Interlocked.Decrement(ref running);
            return r;
        }
        var actual = OrderedParallel.Select(Enumerable.Range(0, 400), Map, threads: 2, chunk: 8).ToList();
        CollectionAssert.AreEqual(Enumerable.Range(0, 400).Select(Work).ToList(), actual);
        Assert.IsTrue(mappers.ContainsKey(caller), "the calling thread never mapped a chunk");
        Assert.IsLessThanOrEqualTo(2, mappers.Count);
        Assert.AreEqual(2, most);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    [TestMethod]
    public void BadArguments_AreRefused()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => OrderedParallel.Select(new[] { 1 }, i => i, 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => OrderedParallel.Select(new[] { 1 }, i => i, OrderedParallel.MaxThreads + 1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => OrderedParallel.Select(new[] { 1 }, i => i, 2, chunk: 0));
        Assert.AreEqual(1, OrderedParallel.ChunkFor(3, 2));
        Assert.AreEqual(25, OrderedParallel.ChunkFor(100, 2));
        Assert.AreEqual(OrderedParallel.DefaultChunk, OrderedParallel.ChunkFor(1_000_000, 2));
    }
}
