using System.Globalization;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Domain.CostModel;

/// <summary>The one grammar of speculative decoding, shared by --spec and the scenario field "spec": k=K,accept=A[,draft=MODEL|mtp].</summary>
public static class SpecDecodingText
{
    public const string Grammar = "k=K,accept=A[,draft=MODEL|mtp]";

    /// <summary>Parses <paramref name="text"/> for <paramref name="target"/>; every problem becomes one InputError naming <paramref name="source"/> and <paramref name="field"/>.</summary>
    public static SpecDecoding Parse(string text, ModelConfig target, string source, string field = "")
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(target);
        var errors = new List<InputError>();
        void Error(string message) => errors.Add(new InputError(source, field, message));
        int? k = null;
        double? a = null;
        string? draft = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? part : part[..eq];
            string value = eq < 0 ? "" : part[(eq + 1)..];
            if (key is not ("k" or "accept" or "draft"))
            {
                Error($"'{JsonFields.Truncate(part)}' is not a spec option (grammar: {Grammar})");
                continue;
            }
            if (!seen.Add(key))
            {
                Error($"{key} is given twice");
                continue;
            }
            switch (key)
            {
                case "k":
                    if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int kv) && kv <= SpecDecoding.MaxDraftTokens)
                    {
                        k = kv;
                    }
                    else
                    {
                        Error($"k='{JsonFields.Truncate(value)}' must be a whole number of draft tokens from 0 to {SpecDecoding.MaxDraftTokens}");
                    }
                    break;
                case "accept":
                    if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double av) && av >= 0 && av < 1)
                    {
                        a = av;
                    }
                    else
                    {
                        Error($"accept='{JsonFields.Truncate(value)}' must be an acceptance rate from 0 to below 1");
                    }
                    break;
                default:
                    draft = value;
                    break;
            }
        }
        if (!seen.Contains("k"))
        {
            Error($"k is required (grammar: {Grammar})");
        }
        if (!seen.Contains("accept"))
        {
            Error($"accept is required (grammar: {Grammar})");
        }
        var drafter = SpecDrafter.Free;
        ModelConfig? draftModel = null;
        if (draft is not null)
        {
            if (draft == "mtp")
            {
                drafter = SpecDrafter.Mtp;
            }
            else if (draft.Length == 0)
            {
                Error("draft= needs a model id or path, or mtp");
            }
            else
            {
                try
                {
                    draftModel = ModelConfigLoader.Resolve(draft, source);
                    drafter = SpecDrafter.Model;
                    if (draftModel.VocabSize != target.VocabSize)
                    {
                        Error($"draft model {draftModel.Id} has vocab_size {draftModel.VocabSize}, {target.Id} has {target.VocabSize}: a drafter must share the target's tokenizer");
                    }
                }
                catch (InputException e)
                {
                    errors.AddRange(e.Errors.Select(x => x with { Field = field, Message = "draft: " + x.Message }));
                }
            }
        }
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }
        return new SpecDecoding(k!.Value, a!.Value, drafter, draftModel);
    }

    /// <summary>
    /// A sweep: k and accept may list values separated by '/' ("k=0/1/2/4,accept=0.6/0.8,draft=mtp"); one configuration
    /// per combination, k outer, accept inner, each parsed by <see cref="Parse"/>.
    /// </summary>
    public static IReadOnlyList<SpecDecoding> ParseSweep(string text, ModelConfig target, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        string[] Values(string key) =>
            parts.FirstOrDefault(p => p.StartsWith(key + "=", StringComparison.Ordinal)) is { } part ? part[(key.Length + 1)..].Split('/', StringSplitOptions.TrimEntries) : [""];
        string rest = string.Join(",", parts.Where(p => !p.StartsWith("k=", StringComparison.Ordinal) && !p.StartsWith("accept=", StringComparison.Ordinal)));
        var list = new List<SpecDecoding>();
        var errors = new List<InputError>();
        foreach (string k in Values("k"))
        {
            foreach (string a in Values("accept"))
            {
                var one = new List<string>();
                if (text.Contains("k=", StringComparison.Ordinal))
                {
                    one.Add("k=" + k);
                }
                if (text.Contains("accept=", StringComparison.Ordinal))
                {
                    one.Add("accept=" + a);
                }
                if (rest.Length > 0)
                {
                    one.Add(rest);
                }
                try
                {
                    list.Add(Parse(string.Join(",", one), target, source));
                }
                catch (InputException e)
                {
                    errors.AddRange(e.Errors);
                }
            }
        }
        if (errors.Count > 0)
        {
            throw new InputException(errors.DistinctBy(e => e.ToString()).ToList());
        }
        return list;
    }
}
