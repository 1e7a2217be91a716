using System.Text.Json;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Studies.Scenarios;

/// <summary>
/// Reads scenarios/*.json (format: schemas/scenario.schema.json). Every problem in the file and in the files it
/// names is reported at once, before any case runs.
/// </summary>
public static class ScenarioLoader
{
    public const long MaxContext = 1L << 40;
    public const long MaxBatch = 1L << 30;
    private static readonly string[] OutputNames = ["csv", "markdown", "charts"];
    private static readonly string[] PhaseNames = ["decode", "prefill"];

    /// <summary>
    /// A scenario argument: a path, or a shipped scenario's id or file name ("quickstart",
    /// "scenarios/quickstart.json"), found in the shipped scenarios/ folder when the path does not exist here.
    /// </summary>
    public static string Resolve(string arg)
    {
        if (File.Exists(arg) || Directory.Exists(arg))
        {
            return arg;
        }
        string name = Path.GetFileName(arg);
        string shipped = Path.Combine(DataPaths.Find("scenarios"), name.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? name : name + ".json");
        return File.Exists(shipped) ? shipped : arg;
    }

    public static Scenario Load(string path)
    {
        var errors = new List<InputError>();
        using var doc = JsonFields.ParseFile(path, errors);
        if (doc is null)
        {
            throw new InputException(errors);
        }
        var f = new JsonFields(path, doc.RootElement, errors);
        f.Allow("$schema");
        string name = f.RequiredString("name");
        if (ScenarioNames.Problem(name) is { } nameProblem)
        {
            f.Error("name", nameProblem);
        }
        string description = f.OptionalString("description") ?? "";
        string baseDir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        var models = ReadList(f, "models", required: true, (string id, string field, out ModelConfig m) =>
            Try(() => ModelConfigLoader.Resolve(DataPaths.LooksLikePath(id) ? Path.Combine(baseDir, id) : id, $"{path}: {field}"), errors, out m));
        var hardware = ReadList(f, "hardware", required: true, (string id, string field, out HardwareProfile h) =>
            Try(() => HardwareProfileLoader.Resolve(DataPaths.LooksLikePath(id) ? Path.Combine(baseDir, id) : id, $"{path}: {field}"), errors, out h));
        var schemes = ReadList(f, "schemes", required: true, (string text, string field, out CacheScheme s) =>
        {
            var messages = new List<string>();
            s = SchemeRegistry.TryParse(text, messages)!;
            errors.AddRange(messages.Select(msg => new InputError(path, field, msg)));
            return s is not null;
        });
        var weights = ReadList(f, "weights", required: false, (string text, string field, out WeightPrecision w) =>
        {
            if (WeightPrecisions.TryParse(text, out w, out string weightError))
            {
                return true;
            }
            errors.Add(new InputError(path, field, weightError));
            return false;
        });
        var phases = ReadList(f, "phase", required: false, (string text, string field, out Phase phase) =>
        {
            phase = text == "prefill" ? Phase.Prefill : Phase.Decode;
            if (PhaseNames.Contains(text))
            {
                return true;
            }
            errors.Add(new InputError(path, field, $"'{JsonFields.Truncate(text)}' is not a phase (allowed: decode, prefill)"));
            return false;
        });
        var batches = ReadCounts(f, "batch", MaxBatch);
        var contexts = ReadCounts(f, "context", MaxContext);
        double reserve = f.OptionalNumber("runtime_reserve_fraction", -1e-300, 0.99) ?? Workload.DefaultRuntimeReserveFraction;
        int tp = (int)(f.OptionalInteger("tp", 1, 1024) ?? 1);
        int pp = (int)(f.OptionalInteger("pp", 1, 1024) ?? 1);
        var outputs = ReadList(f, "outputs", required: false, (string text, string field, out OutputKind o) =>
        {
            o = OutputKind.Csv;
            if (OutputNames.Contains(text))
            {
                o = Enum.Parse<OutputKind>(text, ignoreCase: true);
                return true;
            }
            errors.Add(new InputError(path, field, $"'{JsonFields.Truncate(text)}' is not an output (allowed: {string.Join(", ", OutputNames)})"));
            return false;
        }).ToHashSet();
        var serving = Studies.Serving.ServingSection.Read(f, models);
        string? specText = f.OptionalString("spec");
        string? routingText = f.OptionalString("moe_routing");
        f.RejectUnknownKeys();
        var speculation = new Dictionary<string, SpecDecoding>(StringComparer.Ordinal);
        if (specText is not null)
        {
            foreach (var m in models)
            {
                try
                {
                    speculation[m.Id] = SpecDecodingText.Parse(specText, m, path, "spec");
                }
                catch (InputException e)
                {
                    errors.AddRange(e.Errors);
                }
            }
            int queries = speculation.Count > 0 ? speculation.Values.Max(x => x.QueriesPerSequence) : 1;
            if (serving?.MaxBatchedTokens is int budget && budget < queries)
            {
                errors.Add(new InputError(path, "serving.max_batched_tokens", $"{budget} is below the k + 1 = {queries} tokens one verify step schedules (spec)"));
            }
        }
        MoeRouting? routing = null;
        if (routingText is not null)
        {
            try
            {
                routing = MoeRoutingText.Parse(routingText, path, "moe_routing");
                if (models.Count > 0 && models.All(m => m.Moe is null))
                {
                    errors.Add(new InputError(path, "moe_routing", "no model of the scenario is a mixture of experts"));
                }
            }
            catch (InputException e)
            {
                errors.AddRange(e.Errors);
            }
        }
        if (errors.Count == 0)
        {
            foreach (var s in schemes)
            {
                foreach (var m in models)
                {
                    errors.AddRange(s.Validate(m).Select(msg => new InputError(path, "schemes", $"{s.Spec} on {m.Id}: {msg}")));
                    foreach (var hw in hardware)
                    {
                        errors.AddRange(Domain.Parallelism.ParallelChecks.Problems(tp, pp, m, s, hw).Select(p => new InputError(path, p.Option.TrimStart('-'), p.Message)));
                    }
                }
            }
            errors = errors.DistinctBy(e => e.ToString()).ToList();
        }
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }
        return new Scenario
        {
            Name = name,
            Description = description,
            SourcePath = path,
            Models = models,
            Hardware = hardware,
            Schemes = schemes,
            Weights = weights.Count > 0 ? weights : [WeightPrecision.Bf16],
            Phases = phases.Count > 0 ? phases : [Phase.Decode],
            Batches = batches,
            Contexts = contexts,
            RuntimeReserveFraction = reserve,
            TensorParallel = tp,
            PipelineParallel = pp,
            Outputs = outputs.Count > 0 ? outputs : new HashSet<OutputKind> { OutputKind.Csv, OutputKind.Markdown },
            Serving = serving,
            Speculation = speculation,
            Routing = routing,
        };
    }

    private delegate bool ItemParser<T>(string text, string field, out T value);

    private static bool Try<T>(Func<T> resolve, List<InputError> errors, out T value)
    {
        try
        {
            value = resolve();
            return true;
        }
        catch (InputException e)
        {
            errors.AddRange(e.Errors);
            value = default!;
            return false;
        }
    }

    private static List<T> ReadList<T>(JsonFields f, string key, bool required, ItemParser<T> parse)
    {
        var items = f.Array(key, required);
        var result = new List<T>();
        if (items is null)
        {
            return result;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < items.Count; i++)
        {
            string field = $"{key}[{i}]";
            if (items[i].ValueKind != JsonValueKind.String)
            {
                f.Errors.Add(new InputError(f.Source, field, $"is {JsonFields.Describe(items[i])}, expected a string"));
                continue;
            }
            string text = items[i].GetString()!;
            if (!seen.Add(text))
            {
                f.Errors.Add(new InputError(f.Source, field, $"'{JsonFields.Truncate(text)}' is listed twice"));
                continue;
            }
            if (parse(text, field, out T value))
            {
                result.Add(value);
            }
        }
        return result;
    }

    private static List<double> ReadCounts(JsonFields f, string key, long max)
    {
        var items = f.Array(key, required: true);
        var result = new List<double>();
        if (items is null)
        {
            return result;
        }
        for (int i = 0; i < items.Count; i++)
        {
            string field = $"{key}[{i}]";
            if (items[i].ValueKind == JsonValueKind.Number && items[i].TryGetInt64(out long v) && v >= 1 && v <= max)
            {
                result.Add(v);
            }
            else
            {
                f.Errors.Add(new InputError(f.Source, field, $"'{JsonFields.Truncate(items[i].GetRawText())}' must be a whole number from 1 to {max}"));
            }
        }
        return result;
    }
}
