using System.CommandLine;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Cli;

/// <summary>An unknown command is named, with the closest known one (by edit distance) when one is close.</summary>
public static class CommandNames
{
    /// <summary>The one-line message for an unknown first word, or null when the first word is an option or a known command.</summary>
    public static string? Unknown(IReadOnlyList<string> args, RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(root);
        if (args.Count == 0 || args[0].StartsWith('-'))
        {
            return null;
        }
        var names = root.Subcommands.SelectMany(c => c.Aliases.Prepend(c.Name)).ToList();
        string word = args[0];
        if (names.Contains(word, StringComparer.Ordinal))
        {
            return null;
        }
        string shown = TextSafety.OneLine(JsonFields.Truncate(word));
        var best = names.Select(n => (Name: n, Distance: Distance(word.ToLowerInvariant(), n))).OrderBy(t => t.Distance).ThenBy(t => t.Name, StringComparer.Ordinal).First();
        return best.Distance <= Math.Max(2, best.Name.Length / 3)
            ? $"xqsim: unknown command '{shown}'; did you mean '{best.Name}'? (see 'xqsim --help')"
            : $"xqsim: unknown command '{shown}' (see 'xqsim --help' for the commands)";
    }

    /// <summary>Levenshtein distance; command names are short, so the quadratic table is fine.</summary>
    public static int Distance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Length > 64)
        {
            return a.Length;
        }
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitute, Math.Min(previous[j], current[j - 1]) + 1);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
