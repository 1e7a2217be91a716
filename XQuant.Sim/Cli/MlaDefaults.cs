using System.CommandLine;
using XQuant.Sim.Domain.Models;

namespace XQuant.Sim.Cli;

/// <summary>
/// Scheme defaults on an MLA model, where the KV-cache defaults (fp16, kivi, ...) do not apply: a command's default
/// list would otherwise answer with one error per scheme the user never asked for.
/// </summary>
public static class MlaDefaults
{
    /// <summary>The native latent at FP16 and b bits, and XQuant's X.</summary>
    public const string Schemes = "mla,mla:8,mla:4,mla:2,xquant:4,xquant:2";

    /// <summary>The option's value, or <paramref name="mlaDefault"/> when the user left the option out and the model is MLA.</summary>
    public static string Value(ParseResult p, Option<string> option, ModelConfig m, string mlaDefault = Schemes)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(m);
        bool defaulted = p.GetResult(option) is null or { Implicit: true };
        return defaulted && m.Mla is not null ? mlaDefault : p.GetValue(option)!;
    }
}
