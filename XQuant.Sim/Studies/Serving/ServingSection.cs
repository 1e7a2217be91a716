using System.Globalization;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Domain.Models;

namespace XQuant.Sim.Studies.Serving;

/// <summary>
/// The "serving" block of a scenario: the workload and scheduler of a serving simulation that `xqsim run` runs for
/// every model x hardware x weights of the scenario, over its schemes. Scheduler fields left out take vLLM's
/// defaults for each device (<see cref="SchedulerConfig.VllmDefaults"/>).
/// </summary>
public sealed record ServingSection(
    int InputTokens,
    int OutputTokens,
    int Requests,
    ulong Seed,
    IReadOnlyList<double> Rates,
    int? Concurrency,
    bool Offline,
    Slo Slo,
    int Percentile,
    bool MaxRate,
    int? MaxBatchedTokens,
    int? MaxSeqs,
    bool ChunkedPrefill,
    int BlockTokens)
{
    public const string Key = "serving";

    /// <summary>Reads the block when present; every problem goes to the scenario's error list, named "serving.field".</summary>
    public static ServingSection? Read(JsonFields root, IReadOnlyList<ModelConfig> models)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(models);
        var f = root.Object(Key, required: false);
        if (f is null)
        {
            return null;
        }
        int errorsBefore = f.Errors.Count;
        int input = (int)(f.OptionalInteger("input_tokens", 1, int.MaxValue) ?? 1024);
        int output = (int)(f.OptionalInteger("output_tokens", 1, int.MaxValue) ?? 256);
        int requests = (int)(f.OptionalInteger("requests", 1, 10_000_000) ?? 1000);
        ulong seed = (ulong)(f.OptionalInteger("seed", 0, long.MaxValue) ?? 1);
        var rates = new List<double>();
        var items = f.Array("rates", required: false);
        for (int i = 0; items is not null && i < items.Count; i++)
        {
            if (items[i].ValueKind == System.Text.Json.JsonValueKind.Number && items[i].TryGetDouble(out double r) && double.IsFinite(r) && r > 0)
            {
                rates.Add(r);
            }
            else
            {
                f.Error($"rates[{i}]", $"'{JsonFields.Truncate(items[i].GetRawText())}' must be a rate in requests/s > 0");
            }
        }
        int? concurrency = (int?)f.OptionalInteger("concurrency", 1, 1_000_000);
        bool offline = f.OptionalBool("offline") ?? false;
        string? sloText = f.OptionalString("slo");
        var slo = Slo.None;
        if (sloText is not null)
        {
            try
            {
                slo = Slo.Parse(sloText, $"{f.Source}: {f.PathOf("slo")}");
            }
            catch (InputException e)
            {
                f.Errors.AddRange(e.Errors);
            }
        }
        int percentile = (int)(f.OptionalInteger("percentile", 50, 99) ?? 90);
        if (percentile is not (50 or 90 or 99))
        {
            f.Error("percentile", "must be 50, 90 or 99");
        }
        bool maxRate = f.OptionalBool("max_rate") ?? false;
        int? maxBatched = (int?)f.OptionalInteger("max_batched_tokens", 1, int.MaxValue);
        int? maxSeqs = (int?)f.OptionalInteger("max_seqs", 1, int.MaxValue);
        bool chunked = f.OptionalBool("chunked_prefill") ?? true;
        int block = (int)(f.OptionalInteger("block", 1, 4096) ?? SchedulerConfig.DefaultBlockTokens);
        f.RejectUnknownKeys();
        int modes = (rates.Count > 0 ? 1 : 0) + (concurrency is null ? 0 : 1) + (offline ? 1 : 0);
        if (modes > 1)
        {
            f.Error("rates", "give only one of rates, concurrency, offline");
        }
        else if (modes == 0 && !maxRate)
        {
            f.Error("rates", "give one of rates, concurrency, offline (or max_rate alone)");
        }
        if (maxRate && slo.IsEmpty)
        {
            f.Error("max_rate", "needs slo (the targets the rate must meet)");
        }
        if (!chunked && maxBatched is int budget && budget < input + output - 1)
        {
            f.Error("max_batched_tokens", $"{budget} is below a request's {input + output - 1} tokens; without chunked prefill a prompt must fit one iteration");
        }
        foreach (var m in models.Where(m => m.MaxPositionEmbeddings > 0 && (long)input + output > m.MaxPositionEmbeddings))
        {
            f.Error("input_tokens", $"input {input} + output {output} tokens exceed {m.Id}'s context of {m.MaxPositionEmbeddings.ToString(CultureInfo.InvariantCulture)}");
        }
        return f.Errors.Count > errorsBefore
            ? null
            : new ServingSection(input, output, requests, seed, rates, concurrency, offline, slo, percentile, maxRate, maxBatched, maxSeqs, chunked, block);
    }

    /// <summary>The simulation of one model, device and weight format over the schemes, with this block's settings.</summary>
    public ServingRequestPlan Plan(Workload template, IReadOnlyList<Domain.Schemes.CacheScheme> schemes, double? pricePerHour, string? priceSource)
    {
        ArgumentNullException.ThrowIfNull(template);
        var (defBatched, defSeqs) = SchedulerConfig.VllmDefaults(template.Hardware, Offline);
        int budget = MaxBatchedTokens ?? defBatched;
        if (!ChunkedPrefill)
        {
            budget = Math.Max(budget, InputTokens + OutputTokens - 1);
        }
        var config = new SchedulerConfig(budget, MaxSeqs ?? defSeqs, ChunkedPrefill, BlockTokens);
        var kind = Concurrency is not null ? ArrivalKind.ClosedLoop : Offline ? ArrivalKind.Offline : ArrivalKind.Poisson;
        var arrivals = new ArrivalSpec(kind, Requests, new LengthSpec(InputTokens, InputTokens), new LengthSpec(OutputTokens, OutputTokens), Seed,
            Rates.Count > 0 ? Rates[0] : 1, Concurrency ?? 0);
        return new ServingRequestPlan(template, schemes, config, arrivals, kind == ArrivalKind.Poisson ? Rates : [], Slo, Percentile, MaxRate,
            Overlapped: true, pricePerHour, priceSource);
    }
}
