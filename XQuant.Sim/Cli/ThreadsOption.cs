using System.CommandLine;
using System.Globalization;
using XQuant.Sim.Foundation.Concurrency;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Cli;

/// <summary>
/// --threads for sweeps: how many threads cost cases; the output is the same on any count. The default is one
/// thread: a case allocates ~30 KB, and on the shared 2-core machine every gen0 collection with two running threads
/// waits for the other thread to be scheduled, so N threads measured slower than one there (docs: notes of #19).
/// </summary>
public static class ThreadsOption
{
    public const string All = "all";

    public static Option<string> Create() => new("--threads")
    {
        Description = $"threads that cost cases: 1 to {OrderedParallel.MaxThreads}, or 'all' ({Environment.ProcessorCount} here); default 1; files are byte-identical on any count",
        DefaultValueFactory = _ => "1",
    };

    public static int Parse(string? text)
    {
        string t = (text ?? All).Trim();
        if (string.Equals(t, All, StringComparison.OrdinalIgnoreCase))
        {
            return Math.Clamp(Environment.ProcessorCount, 1, OrderedParallel.MaxThreads);
        }
        if (int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && n <= OrderedParallel.MaxThreads)
        {
            return n;
        }
        throw new InputException("--threads", "", $"'{JsonFields.Truncate(t)}' must be a whole number from 1 to {OrderedParallel.MaxThreads.ToString(CultureInfo.InvariantCulture)} or '{All}'");
    }
}
