using System.Diagnostics;

namespace XQuant.Sim.Studies.Measurement;

/// <summary>One timed case: <see cref="Run"/> is timed, <see cref="BeforeEach"/> (e.g. a cache flush) is not.</summary>
public sealed record TimedCase(string Name, Action Run, Action? BeforeEach = null);

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

    /// <summary>
    /// Times several cases interleaved: every case runs <paramref name="warmups"/> times untimed, then
    /// <paramref name="rounds"/> rounds each time every case once (its <see cref="TimedCase.BeforeEach"/> untimed
    /// first), the start rotating by one case per round. On a shared host the machine's speed drifts and drops in
    /// phases of seconds (a sibling VM, a stolen core stalls every parallel loop): timing one case after another
    /// lets a phase land on one case only, while interleaving spreads each phase over all cases, so the median of
    /// each case reflects the same mix of phases. Returns each case's times (seconds) in case order.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<double>> Interleaved(IReadOnlyList<TimedCase> cases, int rounds, int warmups = 1)
    {
        ArgumentNullException.ThrowIfNull(cases);
        foreach (var c in cases)
        {
            for (int i = 0; i < warmups; i++)
            {
                c.BeforeEach?.Invoke();
                c.Run();
            }
        }
        var times = cases.Select(_ => new List<double>(rounds)).ToList();
        for (int r = 0; r < rounds; r++)
        {
            for (int j = 0; j < cases.Count; j++)
            {
                int i = (r + j) % cases.Count;
                cases[i].BeforeEach?.Invoke();
                long t0 = Stopwatch.GetTimestamp();
                cases[i].Run();
                times[i].Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
            }
        }
        return times;
    }

    /// <summary>
    /// Runs interleaved rounds of <paramref name="cases"/>, untimed, for <paramref name="seconds"/>: this host slows
    /// under sustained load, and calibrate and validate both measure its steady state (<see cref="CalibrationPlan.SoakSec"/>).
    /// </summary>
    public static void Soak(IReadOnlyList<TimedCase> cases, double seconds)
    {
        ArgumentNullException.ThrowIfNull(cases);
        long t0 = Stopwatch.GetTimestamp();
        while (seconds > 0 && cases.Count > 0 && Stopwatch.GetElapsedTime(t0).TotalSeconds < seconds)
        {
            Interleaved(cases, 1, warmups: 0);
        }
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
