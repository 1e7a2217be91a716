using System.CommandLine;
using System.Globalization;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Cli;

/// <summary>Options shared by several commands, and the parsing of list-valued arguments.</summary>
public static class CliOptions
{
    public static Option<string> Model(bool required = true) => new("--model", "-m")
    {
        Description = "model id from models/ (see 'xqsim models') or a path to a Hugging Face config.json",
        Required = required,
    };

    public static Option<string> Hardware(bool required = true) => new("--hardware", "-H")
    {
        Description = "hardware profile id from hardware-profiles/ (see 'xqsim profiles') or a path; lists take commas",
        Required = required,
    };

    public static Option<string> Schemes(string defaultValue) => new("--schemes", "-s")
    {
        Description = "cache schemes, comma-separated, e.g. fp16,kivi:2,xquant:4,xquant-cl:2,base=3@4 (see 'xqsim schemes')",
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<string> Context(string defaultValue) => new("--context", "-c")
    {
        Description = "cached tokens per sequence; a comma-separated list sweeps (k suffix = x1024: 32k)",
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<string> Batch(string defaultValue) => new("--batch", "-b")
    {
        Description = "sequences decoded together; a comma-separated list sweeps",
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary>Parses "1,8,32k" into positive integers, each at most <paramref name="max"/>.</summary>
    /// <summary>
    /// One positive count for a command that explains a single case: a list is refused rather than cut to its first
    /// value, which would answer a question the user did not ask.
    /// </summary>
    public static long PositiveOne(string text, string option, long max)
    {
        var values = PositiveList(text, option, max);
        if (values.Count > 1)
        {
            throw new InputException([new InputError(option, "", $"takes one value in this command (got {values.Count.ToString(CultureInfo.InvariantCulture)}: '{JsonFields.Truncate(text)}'); sweep lists with run or compare")]);
        }
        return values[0];
    }

    public static IReadOnlyList<long> PositiveList(string text, string option, long max)
    {
        var values = new List<long>();
        var errors = new List<InputError>();
        foreach (string raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (TryParseCount(raw, out long v) && v >= 1 && v <= max)
            {
                values.Add(v);
            }
            else
            {
                errors.Add(new InputError(option, "", $"'{JsonFields.Truncate(raw)}' must be a whole number from 1 to {max.ToString(CultureInfo.InvariantCulture)} (k = x1024, M = x1048576 allowed)"));
            }
        }
        if (values.Count == 0 && errors.Count == 0)
        {
            errors.Add(new InputError(option, "", "needs at least one value"));
        }
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }
        // "1,1,2" sweeps 1 and 2: a repeated value would only repeat rows.
        return values.Distinct().ToList();
    }

    public static bool TryParseCount(string s, out long value)
    {
        long scale = 1;
        if (s.EndsWith('k') || s.EndsWith('K'))
        {
            scale = 1024;
            s = s[..^1];
        }
        else if (s.EndsWith('M'))
        {
            scale = 1024 * 1024;
            s = s[..^1];
        }
        if (long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long v) && v <= long.MaxValue / scale)
        {
            value = v * scale;
            return true;
        }
        value = 0;
        return false;
    }

    public static IReadOnlyList<string> NameList(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();
}
