using System.CommandLine;
using System.Globalization;
using XQuant.Sim.Foundation.Concurrency;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Cli;

/// <summary>--threads for sweeps: how many threads cost cases (default: every core); the output is the same on any count.</summary>
public static class ThreadsOption
{
    public const string All = "all";

    public static Option<string> Create() => new("--threads")
    {
        Description = $"threads that cost cases: 1 to {OrderedParallel.MaxThreads}, or 'all' (default: all, {Environment.ProcessorCount} here); files are byte-identical on any count",
        DefaultValueFactory = _ => All,
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
