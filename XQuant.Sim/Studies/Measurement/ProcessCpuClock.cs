using System.Runtime.InteropServices;

namespace XQuant.Sim.Studies.Measurement;

/// <summary>
/// CPU seconds this process has run, all threads (clock_gettime CLOCK_PROCESS_CPUTIME_ID, nanoseconds; .NET's
/// TotalProcessorTime reads /proc in 10 ms ticks, too coarse for 10-100 ms kernels). On a host shared with other
/// work, wall time counts the seconds a thread waited for a core; CPU time does not. NaN where unavailable.
/// </summary>
public static class ProcessCpuClock
{
    private const int ProcessCpuTimeId = 2;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    public static double Seconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return double.NaN;
        }
        try
        {
            return clock_gettime(ProcessCpuTimeId, out var t) == 0 ? t.Seconds + (t.Nanoseconds * 1e-9) : double.NaN;
        }
        catch (DllNotFoundException)
        {
            return double.NaN;
        }
        catch (EntryPointNotFoundException)
        {
            return double.NaN;
        }
    }

    [DllImport("libc")]
    private static extern int clock_gettime(int clockId, out TimeSpec time);
}
