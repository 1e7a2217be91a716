using System.CommandLine;
using System.Globalization;
using XQuant.Sim.Foundation.Concurrency;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Cli;

/// <summary>
/// --threads for sweeps: how many threads cost cases; the output is the same on any count, so sweeps default to
/// every core. That pays since the caller maps chunks itself and xqsim runs on the server GC (each core collects its
/// own heap instead of waiting while one thread collects for both): 1.9x one thread on this 2-core VM in
/// `xqsim bench --threads 2` (README, Benchmark).
/// </summary>
public static class ThreadsOption
{
    public const string All = "all";

    /// <param name="defaultValue">"all" for sweeps; bench keeps "1" (one thread, unless asked to compare).</param>
    public static Option<string> Create(string defaultValue = All) => new("--threads")
    {
        Description = $"threads that cost cases: 1 to {OrderedParallel.MaxThreads}, or 'all' ({Environment.ProcessorCount} here); default {defaultValue}; files are byte-identical on any count",
        DefaultValueFactory = _ => defaultValue,
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
