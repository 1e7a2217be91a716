using System.CommandLine;
using System.Globalization;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Schemes;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Rendering.Json;
using XQuant.Sim.Rendering.Serving;
using XQuant.Sim.Studies.Serving;

namespace XQuant.Sim.Cli;

/// <summary>xqsim simulate: one serving instance under load, per scheme: continuous batching, paged cache, SLOs.</summary>
public static class SimulateCommand
{
    public const long MaxRequests = 10_000_000;

    public static Command Create(CliContext ctx)
    {
        var hardware = CliOptions.Hardware();
        hardware.Description = "one hardware profile id from hardware-profiles/ (see 'xqsim profiles') or a path";
        var model = CliOptions.Model();
        var schemes = CliOptions.Schemes("fp16");
        var weights = WorkloadOptions.Weights();
        var reserve = WorkloadOptions.Reserve();
        var rate = new Option<string?>("--rate") { Description = "Poisson arrivals at R requests/s; a comma-separated list simulates each" };
        var concurrency = new Option<int?>("--concurrency") { Description = "closed loop of N clients, each sending its next request when its last one finishes" };
        var trace = new Option<string?>("--trace") { Description = "CSV trace with header arrival_s,input_tokens,output_tokens" };
        var offline = new Option<bool>("--offline") { Description = "every request at t = 0 (offline throughput)" };
        var input = new Option<string>("--input") { Description = "prompt tokens: N, or lo..hi for a uniform draw", DefaultValueFactory = _ => "1024" };
        var output = new Option<string>("--output") { Description = "output tokens: N, or lo..hi for a uniform draw", DefaultValueFactory = _ => "256" };
        var requests = new Option<string>("--requests", "-n") { Description = "number of requests (not with --trace)", DefaultValueFactory = _ => "1000" };
        var seed = new Option<string>("--seed") { Description = "seed of the length and arrival draws", DefaultValueFactory = _ => "1" };
        var maxBatched = new Option<int?>("--max-batched-tokens") { Description = "token budget per iteration (default: vLLM's, 8192 on >= 70 GiB devices except A100, else 2048; offline 16384 / 8192)" };
        var maxSeqs = new Option<int?>("--max-seqs") { Description = "most running sequences (default: vLLM's, 1024 on >= 70 GiB devices except A100, else 256)" };
        var chunked = new Option<string>("--chunked-prefill") { Description = "on or off (vLLM V1: on)", DefaultValueFactory = _ => "on" };
        var block = new Option<int>("--block") { Description = "tokens per cache block", DefaultValueFactory = _ => SchedulerConfig.DefaultBlockTokens };
        var slo = new Option<string?>("--slo") { Description = "latency targets, e.g. ttft=2s,tpot=50ms (and e2e=...): goodput counts requests meeting all" };
        var percentile = new Option<int>("--percentile") { Description = "percentile the max-rate search holds to the SLO: 50, 90 or 99", DefaultValueFactory = _ => 90 };
        var maxRate = new Option<bool>("--max-rate") { Description = "per scheme, bisect the largest Poisson rate whose percentile latencies meet --slo" };
        var step = new Option<string>("--step") { Description = "iteration time form: overlapped (max(compute, memory)) or serial (sum of per-op times)", DefaultValueFactory = _ => "overlapped" };
        var price = new Option<double?>("--price") { Description = "USD per device-hour, for USD per million output tokens (default: the published on-demand price in data/prices.csv, where the device has one)" };
        var tp = ParallelOptions.Tp();
        var pp = ParallelOptions.Pp();
        var micro = ParallelOptions.MicroBatches();
        var ep = ParallelOptions.Ep();
        micro.Description = "micro-batches a pipelined iteration is cut into (default: one per stage; 1: no micro-batching, the stages in sequence)";
        var spec = WorkloadOptions.Spec();
        spec.Description = $"speculative decoding / MTP: {SpecDecodingText.Grammar}: each decode iteration verifies k + 1 tokens per sequence and gains 1 + the leading accepted drafts (seeded draw, mean (1 - a^(k+1)) / (1 - a)); the drafter's k steps add to the iteration; k = 0 is plain decode";
        var idle = new Option<double?>("--idle-watts") { Description = "idle power of the device in W, for joules per token (power = idle + busy share x (TDP - idle))" };
        var outDir = new Option<string>("--out", "-o") { Description = "output folder", DefaultValueFactory = _ => Path.Combine("out", "simulate") };
        var json = JsonOutput.Option();
        json.Description = "print one JSON document on stdout instead of the verdict, and write no files";
        var charts = new Option<string>("--charts") { Description = "chart formats: png, svg, png,svg or none", DefaultValueFactory = _ => "png,svg" };
        var threadsOption = ThreadsOption.Create();
        threadsOption.Description = $"threads that run simulations (one per scheme and rate, one per max-rate search): 1 to {Foundation.Concurrency.OrderedParallel.MaxThreads}, or 'all' (default: every core); output is byte-identical on any count";
        var command = new Command("simulate", "Simulate one serving instance under load per scheme (continuous batching, paged cache, preemption): TTFT, TPOT, throughput, goodput, max rate under an SLO.")
        {
            hardware, model, schemes, weights, reserve, rate, concurrency, trace, offline, input, output, requests, seed,
            maxBatched, maxSeqs, chunked, block, slo, percentile, maxRate, step, price, idle, tp, pp, micro, ep, spec, outDir, charts, json, threadsOption,
        };
        command.SetAction(p =>
        {
            OutputSet.CheckFolder(p.GetValue(outDir)!);
            var hw = HardwareProfileLoader.Resolve(p.GetValue(hardware)!);
            var m = ModelConfigLoader.Resolve(p.GetValue(model)!);
            var list = SchemeRegistry.ParseFor(MlaDefaults.Value(p, schemes, m, "mla"), m);
            var errors = new List<InputError>();
            var parallel = Domain.Parallelism.ParallelPlan.Single;
            try
            {
                parallel = ParallelOptions.Parse(p.GetValue(tp), p.GetValue(pp), p.GetValue(micro), m, list, hw, p.GetValue(ep));
            }
            catch (InputException e)
            {
                errors.AddRange(e.Errors);
            }
            SpecDecoding? speculation = null;
            if (p.GetValue(spec) is { } specText)
            {
                try
                {
                    speculation = ServingSpeculation.Effective(SpecDecodingText.Parse(specText, m, "--spec"));
                }
                catch (InputException e)
                {
                    errors.AddRange(e.Errors);
                }
            }
            var template = new Workload(m, hw, list[0], WorkloadOptions.ParseWeights(p.GetValue(weights)!), 1, 1,
                RuntimeReserveFraction: WorkloadOptions.ParseReserve(p.GetValue(reserve)), Parallel: parallel.IsSingle ? null : parallel)
            {
                Speculation = speculation,
            };
            long maxTokens = m.MaxPositionEmbeddings > 0 ? m.MaxPositionEmbeddings : int.MaxValue;

            string? rateText = p.GetValue(rate);
            int? clients = p.GetValue(concurrency);
            string? tracePath = p.GetValue(trace);
            bool isOffline = p.GetValue(offline);
            bool search = p.GetValue(maxRate);
            int modes = (rateText is null ? 0 : 1) + (clients is null ? 0 : 1) + (tracePath is null ? 0 : 1) + (isOffline ? 1 : 0);
            if (modes > 1)
            {
                errors.Add(new InputError("--rate/--concurrency/--trace/--offline", "", "give only one arrival process"));
            }
            else if (modes == 0 && !search)
            {
                errors.Add(new InputError("--rate/--concurrency/--trace/--offline", "", "give one arrival process (or --max-rate alone to search Poisson rates)"));
            }
            var rates = new List<double>();
            if (rateText is not null)
            {
                foreach (string r in CliOptions.NameList(rateText))
                {
                    if (double.TryParse(r, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) && v > 0 && v <= 1e9)
                    {
                        rates.Add(v);
                    }
                    else
                    {
                        errors.Add(new InputError("--rate", "", $"'{JsonFields.Truncate(r)}' must be a number of requests per second > 0"));
                    }
                }
                if (rates.Count == 0 && errors.Count == 0)
                {
                    errors.Add(new InputError("--rate", "", "needs at least one rate"));
                }
            }
            if (clients is int c && c < 1)
            {
                errors.Add(new InputError("--concurrency", "", "must be at least 1 client"));
            }
            LengthSpec? inSpec = Lengths(p.GetValue(input)!, "--input", maxTokens, errors);
            LengthSpec? outSpec = Lengths(p.GetValue(output)!, "--output", maxTokens, errors);
            if (inSpec is not null && outSpec is not null && (long)inSpec.Max + outSpec.Max > maxTokens)
            {
                errors.Add(new InputError("--input/--output", "", $"input {inSpec.Max} + output {outSpec.Max} tokens exceed {m.Id}'s context of {maxTokens} tokens"));
            }
            long count = Count(p.GetValue(requests)!, "--requests", 1, MaxRequests, errors);
            long seedValue = Count(p.GetValue(seed)!, "--seed", 0, long.MaxValue, errors);
            string chunkText = p.GetValue(chunked)!;
            if (chunkText is not ("on" or "off"))
            {
                errors.Add(new InputError("--chunked-prefill", "", $"'{JsonFields.Truncate(chunkText)}' is not allowed (allowed: on, off)"));
            }
            int blockTokens = p.GetValue(block);
            if (blockTokens is < 1 or > 4096)
            {
                errors.Add(new InputError("--block", "", "must be a whole number of tokens from 1 to 4096"));
            }
            int pct = p.GetValue(percentile);
            if (pct is not (50 or 90 or 99))
            {
                errors.Add(new InputError("--percentile", "", "must be 50, 90 or 99"));
            }
            string stepText = p.GetValue(step)!;
            if (stepText is not ("overlapped" or "serial"))
            {
                errors.Add(new InputError("--step", "", $"'{JsonFields.Truncate(stepText)}' is not allowed (allowed: overlapped, serial)"));
            }
            Slo sloValue = Slo.None;
            string? sloText = p.GetValue(slo);
            if (sloText is not null)
            {
                try
                {
                    sloValue = Slo.Parse(sloText);
                }
                catch (InputException e)
                {
                    errors.AddRange(e.Errors);
                }
            }
            else if (search)
            {
                errors.Add(new InputError("--max-rate", "", "needs --slo (the targets the rate must meet)"));
            }
            double? priceValue = p.GetValue(price);
            if (priceValue is double pr && (!double.IsFinite(pr) || pr <= 0))
            {
                errors.Add(new InputError("--price", "", "must be a price per device-hour > 0"));
            }
            double? idleValue = p.GetValue(idle);
            if (idleValue is double iw && (!double.IsFinite(iw) || iw < 0 || (hw.TdpWatts is double tdp && iw > tdp)))
            {
                errors.Add(new InputError("--idle-watts", "", $"must be watts from 0 to the TDP{(hw.TdpWatts is double t ? $" ({Formats.Sig(t)} W)" : "")}"));
            }
            var chartExts = ChartExtensions(p.GetValue(charts)!, errors);
            int threads = 1;
            try
            {
                threads = ThreadsOption.Parse(p.GetValue(threadsOption));
            }
            catch (InputException e)
            {
                errors.AddRange(e.Errors);
            }
            var (defBatched, defSeqs) = SchedulerConfig.VllmDefaults(hw, isOffline);
            int? batchedGiven = p.GetValue(maxBatched);
            int? seqsGiven = p.GetValue(maxSeqs);
            if (batchedGiven is < 1)
            {
                errors.Add(new InputError("--max-batched-tokens", "", "must be at least 1"));
            }
            if (seqsGiven is < 1)
            {
                errors.Add(new InputError("--max-seqs", "", "must be at least 1"));
            }
            if (speculation is { } sp && batchedGiven is int tokens && tokens >= 1 && tokens < sp.QueriesPerSequence)
            {
                errors.Add(new InputError("--max-batched-tokens", "", $"{tokens} is below the k + 1 = {sp.QueriesPerSequence} tokens one verify step schedules (--spec)"));
            }
            IReadOnlyList<ServingRequest>? traceRows = null;
            if (tracePath is not null)
            {
                try
                {
                    traceRows = TraceLoader.Load(tracePath, maxTokens);
                }
                catch (InputException e)
                {
                    errors.AddRange(e.Errors);
                }
            }
            if (errors.Count > 0)
            {
                throw new InputException(errors);
            }

            bool chunkOn = chunkText == "on";
            long longest = traceRows is not null ? traceRows.Max(r => (long)r.InputTokens + r.OutputTokens - 1) : (long)inSpec!.Max + outSpec!.Max - 1;
            int budget = batchedGiven ?? defBatched;
            if (!chunkOn)
            {
                // Without chunking a prompt (or a preempted request's recompute) must fit one iteration; vLLM raises its
                // default budget to the model's context for the same reason.
                if (batchedGiven is int given && given < longest)
                {
                    throw new InputException("--max-batched-tokens", "", $"{given} is below the longest request ({longest} tokens); without chunked prefill a prompt must fit one iteration");
                }
                budget = (int)Math.Max(budget, Math.Min(longest, int.MaxValue));
            }
            var config = new SchedulerConfig(budget, seqsGiven ?? defSeqs, chunkOn, blockTokens);
            var kind = traceRows is not null ? ArrivalKind.Trace : clients is not null ? ArrivalKind.ClosedLoop : isOffline ? ArrivalKind.Offline : ArrivalKind.Poisson;
            var arrivals = new ArrivalSpec(kind, traceRows?.Count ?? (int)count, inSpec ?? new LengthSpec(1, 1), outSpec ?? new LengthSpec(1, 1), (ulong)seedValue,
                rates.Count > 0 ? rates[0] : 1, clients ?? 0, traceRows);
            var poolErrors = list
                .Select(s => (s, pool: PoolPlan.For(template with { Scheme = s }, config.BlockTokens, config.MaxBatchedTokens)))
                .Where(x => x.pool.TotalBlocks == 0)
                .Select(x => new InputError("--hardware", hw.Id, $"{x.s.Spec}{(parallel.IsSingle ? "" : $" on the fullest of {parallel.Devices} devices (TP {parallel.TensorParallel} x PP {parallel.PipelineParallel})")}: weights {Formats.Bytes(x.pool.WeightBytes)}{(x.pool.DraftWeightBytes > 0 ? $" + draft weights {Formats.Bytes(x.pool.DraftWeightBytes)}" : "")} + activations {Formats.Bytes(x.pool.ActivationBytes)} + reserve {Formats.Bytes(x.pool.ReserveBytes)} leave no cache pool in {Formats.Bytes(x.pool.DeviceBytes)}"))
                .ToList();
            if (poolErrors.Count > 0)
            {
                throw new InputException(poolErrors);
            }
            // A price on the command line wins; otherwise the device's published on-demand price, where data/prices.csv has
            // one (a node's: its device's, per device).
            var published = priceValue is null ? PriceTable.Load(PriceTable.DefaultPath).For(hw) : null;
            var plan = new ServingRequestPlan(template, list, config, arrivals, kind == ArrivalKind.Poisson && rateText is not null ? rates : [], sloValue, pct, search,
                stepText == "overlapped", priceValue ?? published?.UsdPerDeviceHour, priceValue is not null ? "given with --price" : published?.Describe(), idleValue);
            Action<string>? progress = ctx.ProgressToTerminal ? line => ctx.Error.Write($"\r\u001b[K{line}") : null;
            var result = ServingStudy.Run(plan, threads, progress, ctx.Cancel);
            if (progress is not null)
            {
                ctx.Error.Write("\r\u001b[K");
            }
            if (p.GetValue(json))
            {
                ctx.Out.Write(JsonDoc.Text(SimulateJson.Document(result)));
                return CliApp.ExitOk;
            }
            foreach (string line in ServingMarkdown.Setting(result))
            {
                ctx.Out.WriteLine(line);
            }
            foreach (string line in ServingMarkdown.Verdict(result))
            {
                ctx.Out.WriteLine($"  {line}");
            }
            string dir = p.GetValue(outDir)!;
            ctx.Out.WriteLine("Files written:");
            foreach (string path in OutputSet.Write(dir, ServingReport.Files(result, chartExts, ctx.Cancel)))
            {
                ctx.Out.WriteLine(path);
            }
            return CliApp.ExitOk;
        });
        return command;
    }

    private static LengthSpec? Lengths(string text, string source, long max, List<InputError> errors)
    {
        string[] parts = text.Split("..", StringSplitOptions.TrimEntries);
        var bounds = new List<int>();
        foreach (string part in parts)
        {
            if (CliOptions.TryParseCount(part, out long v) && v >= 1 && v <= max && v <= int.MaxValue)
            {
                bounds.Add((int)v);
            }
        }
        if (parts.Length is < 1 or > 2 || bounds.Count != parts.Length || bounds[0] > bounds[^1])
        {
            errors.Add(new InputError(source, "", $"'{JsonFields.Truncate(text)}' must be a token count from 1 to the model's context ({max}), or lo..hi for a uniform draw"));
            return null;
        }
        return new LengthSpec(bounds[0], bounds[^1]);
    }

    private static long Count(string text, string source, long min, long max, List<InputError> errors)
    {
        if (CliOptions.TryParseCount(text.Trim(), out long v) && v >= min && v <= max)
        {
            return v;
        }
        errors.Add(new InputError(source, "", $"'{JsonFields.Truncate(text)}' must be a whole number from {min} to {max}"));
        return min;
    }

    private static List<string> ChartExtensions(string text, List<InputError> errors)
    {
        if (text == "none")
        {
            return [];
        }
        var list = new List<string>();
        foreach (string f in CliOptions.NameList(text))
        {
            if (f is "png" or "svg")
            {
                list.Add("." + f);
            }
            else
            {
                errors.Add(new InputError("--charts", "", $"'{JsonFields.Truncate(f)}' is not allowed (allowed: png, svg, none)"));
            }
        }
        return list.Distinct().ToList();
    }
}
