using System.Diagnostics;

namespace XQuant.Sim.Calibration;

/// <summary>Timing helpers shared by calibration and validation: warm-up, repeated timed runs, a cache flush.</summary>
public static class Microbench
{
    /// <summary>Runs <paramref name="run"/> warm-up times untimed, then <paramref name="reps"/> timed runs (seconds each).</summary>
    public static IReadOnlyList<double> Time(Action run, int reps, Action? beforeEach = null, int warmups = 1)
    {
        ArgumentNullException.ThrowIfNull(run);
        for (int i = 0; i < warmups; i++)
        {
            beforeEach?.Invoke();
            run();
        }
        var times = new List<double>(reps);
        for (int i = 0; i < reps; i++)
        {
            beforeEach?.Invoke();
            long t0 = Stopwatch.GetTimestamp();
            run();
            times.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
        }
        return times;
    }

    private static float[]? flushBuffer;

    /// <summary>
    /// Evicts the caches: writes then reads a buffer of <paramref name="bytes"/> (default 96 MB, beyond any L3 this
    /// tool meets on a 2-16 core host), so the next kernel reads its inputs from DRAM as a decode step would.
    /// </summary>
    public static void FlushCaches(long bytes = 96L << 20)
    {
        long n = bytes / 4;
        if (flushBuffer is null || flushBuffer.LongLength != n)
        {
            flushBuffer = new float[n];
        }
        var buf = flushBuffer;
        Parallel.For(0, Environment.ProcessorCount, p =>
        {
            long a = buf.LongLength * p / Environment.ProcessorCount, b = buf.LongLength * (p + 1) / Environment.ProcessorCount;
            for (long i = a; i < b; i += 16)
            {
                buf[i] += 1f;
            }
        });
    }
}
