using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Studies.Serving;

namespace XQuant.Sim.Rendering.Serving;

/// <summary>
/// The serving tables as columns over finished results: one row per request (requests.csv) and one row per scheme
/// and arrival setting (summary.csv, summary.md). Exact numbers for CSV, four significant digits for people.
/// </summary>
public static class ServingTables
{
    public sealed record RequestRow(string Scheme, ServingRun Run, RequestOutcome Outcome);

    public sealed record SummaryRow(SchemeServing Scheme, ServingRun Run);

    public static IReadOnlyList<TableColumn<RequestRow>> RequestColumns { get; } =
    [
        new("scheme", "cache scheme", r => r.Scheme, false),
        new("arrivals", "arrival process", r => r.Run.Arrivals, false),
        new("rate_req_per_s", "Poisson rate (empty for other arrivals)", r => r.Run.RatePerSec is double x ? Formats.Exact(x) : ""),
        new("request_id", "request number in arrival order", r => Formats.Int(r.Outcome.Request.Id)),
        new("arrival_s", "arrival time", r => Formats.Exact(r.Outcome.Request.ArrivalSec)),
        new("input_tokens", "prompt tokens", r => Formats.Int(r.Outcome.Request.InputTokens)),
        new("output_tokens", "output tokens", r => Formats.Int(r.Outcome.Request.OutputTokens)),
        new("status", "completed, or skipped (cannot fit in the cache pool even alone)", r => r.Outcome.Skipped ? "skipped" : "completed", false),
        new("first_token_s", "time the first output token was sampled", r => Time(r.Outcome.FirstTokenSec)),
        new("finish_s", "time the last output token was sampled", r => Time(r.Outcome.FinishSec)),
        new("ttft_s", "arrival to first token (queueing included)", r => Formats.Exact(r.Outcome.TtftSec)),
        new("tpot_s", "(e2e - ttft) / (output tokens - 1)", r => Formats.Exact(r.Outcome.TpotSec)),
        new("e2e_s", "arrival to last token", r => Formats.Exact(r.Outcome.E2eSec)),
        new("preemptions", "times the request was preempted and recomputed", r => Formats.Int(r.Outcome.Preemptions)),
    ];

    /// <param name="speculation">Add the speculative-decoding columns (only then, so files without it stay as they were).</param>
    public static IReadOnlyList<TableColumn<SummaryRow>> SummaryColumns(bool exact, bool speculation = false)
    {
        Func<double, string> n = exact ? Formats.Exact : v => Formats.Sig(v);
        Func<double, string> ms = exact ? Formats.Exact : v => Formats.Sig(v * 1e3);
        string unit = exact ? "s" : "ms";
        List<TableColumn<SummaryRow>> columns =
        [
            new("scheme", "cache scheme", r => r.Scheme.Scheme, false),
            new("arrivals", "arrival process", r => r.Run.Arrivals, false),
            new("completed", "requests completed", r => Formats.Int(r.Run.Summary.Completed)),
            new("skipped", "requests that cannot fit in the pool even alone", r => Formats.Int(r.Run.Summary.Skipped)),
            new("req_per_s", "completed requests / duration (first arrival to last completion)", r => n(r.Run.Summary.RequestsPerSec)),
            new("output_tok_per_s", "output tokens / duration", r => n(r.Run.Summary.OutputTokensPerSec)),
            new("total_tok_per_s", "(input + output tokens) / duration", r => n(r.Run.Summary.TotalTokensPerSec)),
            new("goodput_req_per_s", "requests meeting every SLO target / duration", r => n(r.Run.Summary.GoodputRequestsPerSec)),
            new($"ttft_p50_{unit}", "time to first token, median", r => ms(r.Run.Summary.TtftSec.P50)),
            new($"ttft_p90_{unit}", "time to first token, 90th percentile", r => ms(r.Run.Summary.TtftSec.P90)),
            new($"ttft_p99_{unit}", "time to first token, 99th percentile", r => ms(r.Run.Summary.TtftSec.P99)),
            new($"tpot_p50_{unit}", "time per output token after the first, median", r => ms(r.Run.Summary.TpotSec.P50)),
            new($"tpot_p90_{unit}", "time per output token, 90th percentile", r => ms(r.Run.Summary.TpotSec.P90)),
            new($"tpot_p99_{unit}", "time per output token, 99th percentile", r => ms(r.Run.Summary.TpotSec.P99)),
            new($"itl_p50_{unit}", "gap between consecutive output tokens (all gaps pooled), median", r => ms(r.Run.Summary.ItlSec.P50)),
            new($"itl_p99_{unit}", "gap between consecutive output tokens, 99th percentile", r => ms(r.Run.Summary.ItlSec.P99)),
            new($"e2e_p50_{unit}", "end-to-end latency, median", r => ms(r.Run.Summary.E2eSec.P50)),
            new($"e2e_p90_{unit}", "end-to-end latency, 90th percentile", r => ms(r.Run.Summary.E2eSec.P90)),
            new("preemptions", "preemptions by recompute (pool out of blocks)", r => Formats.Int(r.Run.Summary.Preemptions)),
            new("peak_pool_use", "largest share of the cache pool's blocks in use", r => exact ? Formats.Exact(r.Run.Summary.PeakPoolFraction) : Formats.Fixed(r.Run.Summary.PeakPoolFraction, 3)),
            new("pool_tokens", "tokens the cache pool holds (blocks x block tokens)", r => Formats.Int(r.Scheme.Pool.TotalBlocks * (double)r.Scheme.Pool.BlockTokens)),
            new("max_rate_req_per_s", "largest Poisson rate meeting the SLO at the percentile (empty: not searched)", r => r.Scheme.MaxRate is { } m ? n(m.RatePerSec) : ""),
            new("usd_per_m_output_tok", "price per device-hour / output tokens per hour x 1e6 (empty: no price)", r => r.Run.CostEnergy.DollarsPerMillionOutputTokens is double d ? n(d) : ""),
            new("j_per_output_tok", "average power (idle + busy share x (TDP - idle)) / output tokens per second (empty: no idle power given)", r => r.Run.CostEnergy.JoulesPerOutputToken is double j ? n(j) : ""),
        ];
        if (speculation)
        {
            columns.AddRange(
            [
                new("verify_steps", "speculative verify steps run (one per decoding sequence per iteration)", r => Formats.Int(r.Run.Result.VerifySteps)),
                new("tokens_per_verify_step", "measured output tokens per verify step (the sampled counterpart of E = (1 - a^(k+1)) / (1 - a))", r => n(r.Run.Result.TokensPerVerifyStep)),
                new("draft_busy_share", "share of the busy time spent in the drafter's steps (0: drafting not costed)", r => exact ? Formats.Exact(Share(r.Run.Result)) : Formats.Fixed(Share(r.Run.Result), 3)),
            ]);
        }
        return columns;
    }

    public static TextTable Summary(ServingStudyResult result, bool exact)
    {
        ArgumentNullException.ThrowIfNull(result);
        return TextTable.Build(SummaryColumns(exact, result.Plan.Template.Speculation is not null), SummaryRows(result));
    }

    private static double Share(SimulationResult r) => r.BusySec > 0 ? r.DraftSec / r.BusySec : double.NaN;

    public static IEnumerable<SummaryRow> SummaryRows(ServingStudyResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Schemes.SelectMany(s => s.Runs.Select(r => new SummaryRow(s, r)));
    }

    public static IEnumerable<RequestRow> RequestRows(ServingStudyResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Schemes.SelectMany(s => s.Runs.SelectMany(run => run.Result.Requests.Select(o => new RequestRow(s.Scheme, run, o))));
    }

    private static string Time(double t) => t < 0 ? "" : Formats.Exact(t);
}
