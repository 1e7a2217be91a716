using XQuant.Sim.Domain.Models;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Domain.Schemes;

/// <summary>One scheme family: its command-line name, a one-line help and its parser.</summary>
public sealed record SchemeFactory(string Name, string Usage, string Help, Func<SchemeArgs, CacheScheme> Parse);

/// <summary>
/// Parses compact scheme strings: "family[:bits][,key=value]...". Adding a family is one line here plus its
/// own record; no other family changes.
/// </summary>
public static class SchemeRegistry
{
    public static readonly IReadOnlyList<SchemeFactory> Factories =
    [
        new("fp16", "fp16", "FP16 K and V (baseline)", Fp16KvScheme.Parse),
        new("kivi", "kivi:BITS[,g=128,window=G,kaxis=channel,vaxis=token,meta=fp16,keys=pre,first=N@B]", "KIVI*-style KV quantization", KiviScheme.Parse),
        new("xquant", "xquant:BITS[,g=128,axis=token,first=N@B,remat=fused|unfused|vabsorb,rdtype=bf16,tp=heads|tokens]", "cache Q(X), rematerialize K and V", XQuantScheme.Parse),
        new("xquant-cl", "xquant-cl:BITS[,base=3@4,acc=4,g=128,axis=token,remat=...,tp=heads|tokens]", "cross-layer deltas of X with an accumulator", XQuantClScheme.Parse),
        new("xquant-gqa", "xquant-gqa:BITS[,g=128,window=G,fp16first=0|1,first=N@B,remat=...,svd=global|per-rank]", "SVD latents X Uk, X Uv for GQA models", XQuantGqaScheme.Parse),
        new("xquant-cl-gqa", "xquant-cl-gqa:BITS[,base=3@4,acc=4,g=128,remat=...]", "cross-layer deltas of the latent X [Uk|Uv]", XQuantClGqaScheme.Parse),
        new("fp8", "fp8[,scale=tensor|head]", "FP8 E4M3 K and V, static scales", FloatKvScheme.ParseFp8),
        new("nvfp4", "nvfp4", "NVFP4 K and V: E2M1 + an FP8 scale per 16 elements", FloatKvScheme.ParseNvfp4),
        new("mla", "mla[:BITS,g=64]", "an MLA model's latent + RoPE key (FP16, or quantized per token)", MlaLatentScheme.Parse),
    ];

    public static IReadOnlyList<string> Names => Factories.Select(f => f.Name).ToList();

    /// <summary>Parses one scheme; problems are appended to <paramref name="errors"/> as full sentences.</summary>
    public static CacheScheme? TryParse(string text, List<string> errors)
    {
        int before = errors.Count;
        string trimmed = text.Trim();
        int colon = trimmed.IndexOf(':', StringComparison.Ordinal);
        int comma = trimmed.IndexOf(',', StringComparison.Ordinal);
        string head = colon >= 0 && (comma < 0 || colon < comma) ? trimmed[..colon] : comma >= 0 ? trimmed[..comma] : trimmed;
        string rest = trimmed[head.Length..];
        string? bits = null;
        if (rest.StartsWith(':'))
        {
            int end = rest.IndexOf(',', StringComparison.Ordinal);
            bits = end < 0 ? rest[1..] : rest[1..end];
            rest = end < 0 ? "" : rest[end..];
        }
        var factory = Factories.FirstOrDefault(f => string.Equals(f.Name, head, StringComparison.Ordinal));
        if (factory is null)
        {
            errors.Add($"unknown scheme '{JsonFields.Truncate(head)}' (allowed: {string.Join(", ", Names)})");
            return null;
        }
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string part in rest.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == part.Length - 1)
            {
                errors.Add($"option '{JsonFields.Truncate(part)}' in '{JsonFields.Truncate(trimmed)}' must be key=value (usage: {factory.Usage})");
                continue;
            }
            string key = part[..eq].Trim();
            if (!options.TryAdd(key, part[(eq + 1)..].Trim()))
            {
                errors.Add($"option '{key}' given twice in '{JsonFields.Truncate(trimmed)}'");
            }
        }
        var scheme = factory.Parse(new SchemeArgs(trimmed, head, bits, options, errors));
        return errors.Count > before ? null : scheme;
    }

    /// <summary>Parses a comma-free list: schemes are separated by ';' or given as separate items.</summary>
    public static IReadOnlyList<CacheScheme> ParseList(IEnumerable<string> items, string source)
    {
        var errors = new List<InputError>();
        var schemes = new List<CacheScheme>();
        foreach (string item in items)
        {
            var messages = new List<string>();
            var s = TryParse(item, messages);
            if (s is not null)
            {
                schemes.Add(s);
            }
            errors.AddRange(messages.Select(m => new InputError(source, "", m)));
        }
        if (schemes.Count == 0 && errors.Count == 0)
        {
            errors.Add(new InputError(source, "", "needs at least one scheme (see 'xqsim schemes')"));
        }
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }
        // A scheme named twice is costed once: duplicates would only repeat rows.
        return schemes.DistinctBy(s => s.Spec, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Splits a command-line list such as "fp16,kivi:2,xquant-cl:2,base=3@4" into schemes: a new scheme starts at
    /// an item that names a family; an item with '=' continues the previous scheme's options.
    /// </summary>
    public static IReadOnlyList<string> SplitCliList(string text)
    {
        var items = new List<string>();
        foreach (string raw in text.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries))
        {
            string part = raw.Trim();
            if (part.Contains('=', StringComparison.Ordinal) && items.Count > 0)
            {
                items[^1] += "," + part;
            }
            else
            {
                items.Add(part);
            }
        }
        return items;
    }

    /// <summary>Parses a command-line list (<see cref="SplitCliList"/>) and checks every scheme against a model, reporting every problem at once.</summary>
    public static IReadOnlyList<CacheScheme> ParseFor(string text, ModelConfig model, string source = "--schemes")
    {
        ArgumentNullException.ThrowIfNull(text);
        var list = ParseList(SplitCliList(text), source);
        var errors = list.SelectMany(s => s.Validate(model).Select(msg => new InputError(source, s.Spec, msg))).ToList();
        errors.AddRange(list.Where(s => model.Mla is not null && s is not (MlaLatentScheme or XQuantScheme))
            .Select(s => new InputError(source, s.Spec, $"{model.Id} caches an MLA latent, not K and V; its schemes are mla, mla:BITS and xquant:BITS (X, latent recomputed)")));
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }
        return list;
    }
}
