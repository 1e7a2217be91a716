using System.Globalization;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Studies.Serving;

/// <summary>
/// Reads a request trace: CSV with the header arrival_s,input_tokens,output_tokens and one request per line, arrival
/// times in seconds, non-decreasing. Every problem is collected and reported as one line naming the file, the line
/// and the field (at most <see cref="MaxErrors"/> lines, then a count).
/// </summary>
public static class TraceLoader
{
    public const int MaxErrors = 20;
    public static readonly string[] Header = ["arrival_s", "input_tokens", "output_tokens"];

    /// <param name="maxTokens">The model's context: input + output may not exceed it (0: no limit known).</param>
    public static IReadOnlyList<ServingRequest> Load(string path, long maxTokens, string source = "--trace")
    {
        if (!File.Exists(path))
        {
            throw new InputException(source, "", $"file '{path}' does not exist");
        }
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(source, "", $"cannot read '{path}': {e.Message}");
        }
        return Parse(lines, path, maxTokens);
    }

    public static IReadOnlyList<ServingRequest> Parse(IReadOnlyList<string> lines, string file, long maxTokens)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var errors = new List<InputError>();
        int more = 0;
        void Error(int line, string field, string message)
        {
            if (errors.Count < MaxErrors)
            {
                errors.Add(new InputError($"{file}:{line.ToString(CultureInfo.InvariantCulture)}", field, message));
            }
            else
            {
                more++;
            }
        }
        int first = 0;
        while (first < lines.Count && string.IsNullOrWhiteSpace(lines[first]))
        {
            first++;
        }
        if (first == lines.Count)
        {
            throw new InputException(file, "", $"is empty; expected the header {string.Join(',', Header)} and one request per line");
        }
        var header = lines[first].Split(',', StringSplitOptions.TrimEntries);
        if (!header.SequenceEqual(Header, StringComparer.Ordinal))
        {
            throw new InputException($"{file}:{(first + 1).ToString(CultureInfo.InvariantCulture)}", "header", $"must be {string.Join(',', Header)} (got '{JsonFields.Truncate(lines[first])}')");
        }
        var list = new List<ServingRequest>();
        double last = double.NegativeInfinity;
        for (int i = first + 1; i < lines.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                continue;
            }
            int lineNo = i + 1;
            var cells = lines[i].Split(',', StringSplitOptions.TrimEntries);
            if (cells.Length != 3)
            {
                Error(lineNo, "", $"has {cells.Length.ToString(CultureInfo.InvariantCulture)} fields; expected 3 ({string.Join(',', Header)})");
                continue;
            }
            bool ok = true;
            if (!double.TryParse(cells[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double arrival) || !double.IsFinite(arrival) || arrival < 0)
            {
                Error(lineNo, "arrival_s", $"'{JsonFields.Truncate(cells[0])}' must be a number of seconds >= 0");
                ok = false;
            }
            else if (arrival < last)
            {
                Error(lineNo, "arrival_s", $"{cells[0]} is earlier than the line before ({last.ToString("R", CultureInfo.InvariantCulture)}); arrival times must not decrease");
                ok = false;
            }
            int input = Count(cells[1], lineNo, "input_tokens", ref ok);
            int output = Count(cells[2], lineNo, "output_tokens", ref ok);
            if (ok && maxTokens > 0 && (long)input + output > maxTokens)
            {
                Error(lineNo, "input_tokens", $"input {input.ToString(CultureInfo.InvariantCulture)} + output {output.ToString(CultureInfo.InvariantCulture)} tokens exceed the model's context of {maxTokens.ToString(CultureInfo.InvariantCulture)}");
                ok = false;
            }
            if (ok)
            {
                last = arrival;
                list.Add(new ServingRequest(list.Count, arrival, input, output));
            }
        }
        if (errors.Count == 0 && list.Count == 0)
        {
            errors.Add(new InputError(file, "", "has a header but no requests"));
        }
        if (more > 0)
        {
            errors.Add(new InputError(file, "", $"and {more.ToString(CultureInfo.InvariantCulture)} more problems"));
        }
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }
        return list;

        int Count(string cell, int lineNo, string field, ref bool ok)
        {
            if (int.TryParse(cell, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v >= 1)
            {
                return v;
            }
            Error(lineNo, field, $"'{JsonFields.Truncate(cell)}' must be a whole number of tokens >= 1");
            ok = false;
            return 0;
        }
    }
}
