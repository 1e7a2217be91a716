using System.Runtime.InteropServices;

namespace XQuant.Sim.Cli.Fuzzing;

/// <summary>
/// kill(2) from libc: the signals kind sends SIGINT, SIGTERM and SIGHUP itself, because Process.Kill only sends
/// SIGKILL (which no program can handle) and starting kill(1) per signal would add its own start-up to the delay.
/// </summary>
public static class PosixKill
{
    /// <summary>Sends <paramref name="signal"/> (2, 15, 1, ...) to <paramref name="pid"/>; false when the process is already gone.</summary>
    public static bool Send(int pid, int signal)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("signals are sent on Linux only");
        }
        return NativeMethods.Kill(pid, signal) == 0;
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int Kill(int pid, int signal);
    }
}
