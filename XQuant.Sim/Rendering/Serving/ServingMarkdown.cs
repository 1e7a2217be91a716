using System.Globalization;
using System.Text;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Studies.Serving;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Rendering.Serving;

/// <summary>summary.md and the console verdict of a serving study: the setting, the pool per scheme, the results, the max rate.</summary>
public static class ServingMarkdown
{
    public static string Render(ServingStudyResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var p = result.Plan;
        var w = p.Template;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"# Serving simulation: {w.Model.Id} on {w.Hardware.Id}\n\n");
        foreach (string line in Setting(result))
        {
            sb.Append("- ").Append(line).Append('\n');
        }
        sb.Append("\n## Verdict\n\n");
        foreach (string line in Verdict(result))
        {
            sb.Append("- ").Append(line).Append('\n');
        }
        sb.Append("\n## Cache pool per scheme\n\n");
        sb.Append(PoolTable(result).ToMarkdown());
        sb.Append("\n## Results (times in ms)\n\n");
        sb.Append(ServingTables.Summary(result, exact: false).ToMarkdown());
        var searched = result.Schemes.Where(s => s.MaxRate is not null).ToList();
        if (searched.Count > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\n## Max-rate search (p{p.Percentile} of every SLO target: {p.Slo})\n\n");
            sb.Append("| scheme | rate req/s | meets SLO | TTFT p").Append(p.Percentile).Append(" ms | TPOT p").Append(p.Percentile).Append(" ms | output tok/s |\n|:---|---:|:---|---:|---:|---:|\n");
            foreach (var s in searched)
            {
                foreach (var probe in s.MaxRate!.Probes.OrderBy(x => x.RatePerSec))
                {
                    sb.Append(CultureInfo.InvariantCulture, $"| {s.Scheme} | {Formats.Sig(probe.RatePerSec)} | {(probe.Passed ? "yes" : "no")} | {Formats.Sig(probe.Summary.TtftSec.At(p.Percentile) * 1e3)} | {Formats.Sig(probe.Summary.TpotSec.At(p.Percentile) * 1e3)} | {Formats.Sig(probe.Summary.OutputTokensPerSec)} |\n");
                }
            }
        }
        sb.Append("\nDefinitions (AIPerf's), scheduler defaults and what the model leaves out: docs/serving.md.\n");
        return sb.ToString();
    }

    /// <summary>The assumptions every number depends on, one line each.</summary>
    public static IEnumerable<string> Setting(ServingStudyResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var p = result.Plan;
        var w = p.Template;
        var c = p.Config;
        var a = p.Arrivals;
        string lengths = a.Kind == ArrivalKind.Trace ? "lengths from the trace" : $"input {a.Input} tokens, output {a.Output} tokens, seed {a.Seed}";
        string rates = a.Kind == ArrivalKind.Poisson ? $" at {string.Join(", ", p.Rates.Select(r => Formats.Sig(r)))} req/s" : "";
        yield return $"Workload: {Describe(a.Kind, a)}{rates}; {CountOf(a)} requests; {lengths}.";
        yield return $"Scheduler (vLLM V1 semantics): max_num_batched_tokens {c.MaxBatchedTokens}, max_num_seqs {c.MaxSeqs}, chunked prefill {(c.ChunkedPrefill ? "on" : "off")}, block {c.BlockTokens} tokens, FCFS admission, preemption by recompute.";
        yield return $"Iteration time: mixed-batch ledger on the {w.Hardware.Provenance.Name()} profile of {w.Hardware.Id} (`{SourcePaths.Display(w.Hardware.SourcePath)}`), {(p.Overlapped ? "overlapped form max(compute, memory)" : "serial form (sum of per-op times)")}; weights {w.Weights.Name()} streamed once per iteration, attention and rematerialization per sequence at its own context.";
        if (w.Speculation is { } spec)
        {
            yield return Speculation(w, spec, a.Seed);
        }
        var plan = w.Plan;
        if (!plan.IsSingle)
        {
            string stages = plan.PipelineParallel == 1
                ? ""
                : plan.MicroBatchCount == 1
                    ? $"; {plan.PipelineParallel} pipeline stages in sequence (decode latency summed over stages, no micro-batches)"
                    : $"; {plan.PipelineParallel} pipeline stages, each iteration cut into {plan.MicroBatchCount} micro-batches: step = (sum T_j + (PP - 1) max T_j) / PP over the micro-batches' ledger times T_j, tokens sampled when the step ends";
            yield return $"Deployment: {plan.Describe()}; iteration time from one rank's ledger with its communication ops (alpha-beta ring collectives, not overlapped with compute){stages}; memory, pool and blocks below are the fullest device's (every sequence is cached on every device).";
        }
        var pool = result.Schemes.Count > 0 ? result.Schemes[0].Pool : null;
        if (pool is not null)
        {
            string draft = pool.DraftWeightBytes > 0 ? $" - draft weights {Formats.Bytes(pool.DraftWeightBytes)}" : "";
            yield return $"Memory: device {Formats.Bytes(pool.DeviceBytes)} - reserve {Formats.Bytes(pool.ReserveBytes)} ({Formats.Sig(w.RuntimeReserveFraction)}) - weights {Formats.Bytes(pool.WeightBytes)}{draft} - peak activations {Formats.Bytes(pool.ActivationBytes)} (max_num_batched_tokens tokens of working set) = the cache pool.";
            if (pool.DraftBytesPerToken > 0)
            {
                yield return $"Draft cache: {Formats.Sig(pool.DraftBytesPerToken)} bytes per token ({(w.Speculation?.Drafter == SpecDrafter.Mtp ? "the MTP layer's" : "the draft model's")}, with {result.Schemes[0].Scheme}) are included in each scheme's bytes per token below; each decoding sequence also holds blocks for the k = {w.Speculation?.DraftTokens} slots its verify step writes.";
            }
        }
        if (!p.Slo.IsEmpty)
        {
            yield return $"SLO: {p.Slo} per request for goodput; p{p.Percentile} of each for the max rate.";
        }
        yield return p.PricePerDeviceHour is double price
            ? $"Price: {Formats.Sig(price)} USD per device-hour ({p.PriceSource ?? "given with --price"}){(plan.Devices > 1 ? $" x {plan.Devices} devices" : "")}."
            : $"Price: none for {w.Hardware.Id} in data/prices.csv (no published on-demand price found); --price sets one.";
        yield return p.IdleWatts is double idle && w.Hardware.TdpWatts is double tdp
            ? $"Power: idle {Formats.Sig(idle)} W (given) + busy share x (TDP {Formats.Sig(tdp)} W, datasheet - idle){(plan.Devices > 1 ? $", x {plan.Devices} devices (all busy for the whole iteration)" : "")}."
            : $"Energy: not computed ({(w.Hardware.TdpWatts is null ? $"{w.Hardware.Id} has no TDP in its profile" : "no idle power given; --idle-watts sets it")}).";
    }

    /// <summary>Console and Markdown verdict: the max rate per scheme against the first, or throughput and latency per run.</summary>
    public static IEnumerable<string> Verdict(ServingStudyResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var p = result.Plan;
        var searched = result.Schemes.Where(s => s.MaxRate is not null).ToList();
        if (searched.Count > 0)
        {
            double baseRate = searched[0].MaxRate!.RatePerSec;
            foreach (var s in searched)
            {
                var m = s.MaxRate!;
                string vs = s == searched[0] || baseRate <= 0 ? "" : $" ({Formats.Sig(m.RatePerSec / baseRate, 3)}x {searched[0].Scheme})";
                yield return m.RatePerSec > 0
                    ? $"{s.Scheme}: up to {Formats.Sig(m.RatePerSec)} req/s meet p{p.Percentile} {p.Slo}{vs}{(m.CapacityBound ? " (capacity-bound: the saturated service rate, mid-run completions of an offline run)" : "")}; pool {Formats.Int(s.Pool.TotalBlocks * (double)s.Pool.BlockTokens)} tokens"
                    : $"{s.Scheme}: no rate meets p{p.Percentile} {p.Slo} (not even {Formats.Sig(m.Probes.Min(x => x.RatePerSec))} req/s)";
            }
            yield break;
        }
        foreach (var s in result.Schemes)
        {
            foreach (var r in s.Runs)
            {
                var x = r.Summary;
                string skipped = x.Skipped > 0 ? $", {x.Skipped} skipped (cannot fit)" : "";
                yield return $"{s.Scheme}, {r.Arrivals}: {Formats.Sig(x.OutputTokensPerSec)} output tok/s, {Formats.Sig(x.RequestsPerSec)} req/s, TTFT p50 {Formats.Seconds(x.TtftSec.P50)} / p90 {Formats.Seconds(x.TtftSec.P90)}, TPOT p50 {Formats.Seconds(x.TpotSec.P50)} / p90 {Formats.Seconds(x.TpotSec.P90)}, {x.Preemptions} preemptions{skipped}"
                    + (p.Slo.IsEmpty ? "" : $", goodput {Formats.Sig(x.GoodputRequestsPerSec)} req/s");
            }
        }
    }

    public static TextTable PoolTable(ServingStudyResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        IReadOnlyList<TableColumn<SchemeServing>> columns =
        [
            new("scheme", "cache scheme", s => s.Scheme, false),
            new("bytes_per_token", "cache bytes per token over all layers (payload + metadata + CL accumulator row)", s => Formats.Sig(s.Pool.BytesPerToken)),
            new("block_bytes", "bytes of one block", s => Formats.Bytes(s.Pool.BlockBytes)),
            new("state_blocks_per_seq", "blocks reserved per sequence for state that does not page by token (KIVI's FP16 window)", s => Formats.Int(s.Pool.StateBlocksPerSequence)),
            new("blocks", "blocks in the pool", s => Formats.Int(s.Pool.TotalBlocks)),
            new("pool", "pool size", s => Formats.Bytes(s.Pool.PoolBytes)),
            new("pool_tokens", "tokens the pool holds", s => Formats.Int(s.Pool.TotalBlocks * (double)s.Pool.BlockTokens)),
        ];
        return TextTable.Build(columns, result.Schemes);
    }

    private static string Speculation(Domain.CostModel.Workload w, SpecDecoding spec, ulong seed)
    {
        string drafter = spec.Drafter switch
        {
            SpecDrafter.Model => $"draft model {spec.DraftModel!.Id} ({spec.DraftTokens} plain decode steps per iteration over the decoding sequences, at contexts l .. l + k - 1, FP16 cache ({SpecStep.DraftScheme(w, spec.DraftModel, false).Spec}), {w.Weights.Name()} weights, on one device, added to the iteration time; its weights come out of the pool, its cache adds to the bytes per token; its prefill of the prompt is not costed)",
            SpecDrafter.Mtp => $"MTP module (one decoder layer of {w.Model.Id}'s shape + eh_proj + the shared LM head, run k = {spec.DraftTokens} times per iteration, on one device, added to the iteration time; its weights are taken to be part of the target's checkpoint and not charged again, its one-layer cache adds to the bytes per token)",
            _ => "drafter not costed (n-gram / prompt-lookup drafting assumed free; give draft=MODEL or draft=mtp to charge one)",
        };
        if (!w.Plan.IsSingle && spec.Drafter != SpecDrafter.Free)
        {
            drafter += "; under the deployment the drafter runs on one device, taken to be the fullest (its memory is charged to the pool below), after the target's step";
        }
        return string.Create(CultureInfo.InvariantCulture, $"Speculative decoding {spec.Spec}: k = {spec.DraftTokens}, a = {spec.AcceptanceRate}, E = (1 - a^(k+1)) / (1 - a) = {Formats.Sig(spec.ExpectedTokensPerStep)} tokens per verify step; each decode iteration verifies k + 1 tokens per sequence (the verify ledger at its context{(w.Plan.IsSingle ? "" : ", the rank's under the deployment below")}) and gains 1 + the leading accepted drafts, drawn per sequence in schedule order (accept RNG: System.Random from seed {seed}, a stream of its own, one per simulation), at most the tokens still needed; the n tokens of one step arrive at the iteration's end (recorded as n gaps of step / n); {drafter}. Not modelled: tree attention, the cost of rolling back rejected slots, batching effects in the drafter beyond its ledger.");
    }

    private static string Describe(ArrivalKind kind, ArrivalSpec a) => kind switch
    {
        ArrivalKind.Poisson => "Poisson arrivals",
        ArrivalKind.ClosedLoop => $"closed loop of {a.Concurrency} clients",
        ArrivalKind.Offline => "offline (all at t = 0)",
        _ => "trace arrivals",
    };

    private static int CountOf(ArrivalSpec a) => a.Kind == ArrivalKind.Trace ? a.Trace?.Count ?? 0 : a.Requests;
}
