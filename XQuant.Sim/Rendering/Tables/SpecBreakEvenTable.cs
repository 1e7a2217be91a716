using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Foundation.Text;

namespace XQuant.Sim.Rendering.Tables;

/// <summary>The break-even of a scheme under speculative decoding, one row per (k, accept).</summary>
public static class SpecBreakEvenTable
{
    public static IReadOnlyList<TableColumn<SpecBreakEvenRow>> Columns(string scheme, string versus, double contextTokens) =>
    [
        new("k", "draft tokens verified per step (k + 1 queries per sequence)", r => Formats.Int(r.Spec.DraftTokens)),
        new("accept", "acceptance rate a per draft token (assumed i.i.d.)", r => Formats.Sig(r.Spec.AcceptanceRate)),
        new("E_tokens", "expected tokens per step (1 - a^(k+1)) / (1 - a)", r => Formats.Sig(r.Spec.ExpectedTokensPerStep)),
        new("l_hide", $"largest context at which {scheme}'s step (verify + draft) stays memory-bound: remat hides", r => Show(r.HideContextTokens)),
        new($"x_{versus}", $"first context where {scheme} and {versus} per-token times cross ('-' = none up to 2^24)", r => Show(r.FirstCrossoverTokens)),
        new("spec_pays_at", $"contexts where speculation beats {scheme}'s plain decode, per token (scanned up to 2^24)", r => r.Spec.DraftTokens == 0 ? "(plain)" : Intervals(r.SpecPays)),
        new($"ms_tok@{Formats.Int(contextTokens)}", $"{scheme} per-token time at l = {Formats.Int(contextTokens)}, (verify + draft) / E, ms", r => Formats.Sig(r.PerTokenSec * 1e3)),
        new("speedup", $"{scheme} plain decode step / per-token time with speculation at l = {Formats.Int(contextTokens)}", r => Formats.Fixed(r.PlainPerTokenSec / r.PerTokenSec, 2)),
        new($"ms_tok_{versus}", $"{versus} per-token time at l = {Formats.Int(contextTokens)} with the same speculation, ms", r => Formats.Sig(r.VersusPerTokenSec * 1e3)),
    ];

    private static string Intervals(IReadOnlyList<(double From, double To)> list) =>
        list.Count == 0 ? "never" : list.Count == 1 && list[0].From <= 1 && double.IsPositiveInfinity(list[0].To) ? "all"
        : string.Join(", ", list.Select(x => double.IsPositiveInfinity(x.To) ? $">= {Formats.Int(x.From)}" : $"{Formats.Int(x.From)}-{Formats.Int(x.To)}"));

    private static string Show(double tokens) => double.IsNaN(tokens) ? "-" : double.IsPositiveInfinity(tokens) ? "> 2^24" : Formats.Int(tokens);
}
