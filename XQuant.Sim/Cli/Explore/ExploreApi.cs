using System.Text.Json;
using System.Text.Json.Nodes;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Schemes;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Rendering.Json;

namespace XQuant.Sim.Cli.Explore;

/// <summary>What one API call answers: an HTTP status and a JSON body (the CLI's document, or the errors).</summary>
public sealed record ApiResponse(int Status, string Json);

/// <summary>
/// GET /api/{command}: a query becomes the argument list of `xqsim {command} --json` and the CLI runs it, so the API
/// and the command line cannot disagree (same parsing, same validation, same document). Only shipped model and
/// hardware ids and the listed parameters pass, so no request can name a file; a bad parameter is a 400 with the
/// CLI's one line per problem.
/// </summary>
public static class ExploreApi
{
    public const int MaxValueChars = 200;
    public const int MaxListItems = 16;

    /// <summary>Query parameter -> the option it becomes, per command; nothing else is accepted.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Parameters = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["ledger"] = ["model", "hardware", "scheme", "context", "batch", "weights", "phase", "reserve", "tp", "pp", "ep", "spec", "moe-routing"],
        [Ledgers] = ["model", "hardware", "schemes", "context", "batch", "weights", "phase", "reserve", "tp", "pp", "ep", "spec", "moe-routing"],
        ["memory"] = ["model", "schemes", "context", "batch"],
        ["breakeven"] = ["model", "hardware", "scheme", "versus", "context", "batch", "weights", "tp", "pp", "spec", "moe-routing"],
        ["compare"] = ["model", "hardware", "schemes", "context", "batch", "weights", "reserve", "tp", "pp", "spec", "moe-routing"],
        ["pareto"] = ["model", "hardware", "dataset", "context", "batch"],
        ["simulate"] = ["model", "hardware", "schemes", "weights", "reserve", "rate", "concurrency", "input", "output", "requests", "seed", "slo", "percentile", "max-rate", "tp", "pp", "ep", "spec"],
    };

    /// <summary>
    /// GET /api/ledgers?schemes=a,b,...: one `xqsim ledger --json` document per scheme, in order, in one response. The
    /// page's slider asks for every scheme's ledger at each move; one request computes them in turn instead of N
    /// requests contending for the cores.
    /// </summary>
    public const string Ledgers = "ledgers";

    /// <summary>Most requests one API simulation may run (the CLI allows more; the page stays responsive).</summary>
    public const long MaxSimulatedRequests = 5000;

    public static IReadOnlyList<string> ShippedModels => DataPaths.Ids(ModelConfigLoader.DefaultDirectory);

    public static IReadOnlyList<string> ShippedHardware => DataPaths.Ids(HardwareProfileLoader.DefaultDirectory);

    /// <summary>Shipped node profiles (hardware-profiles/nodes/): usable wherever a hardware id is, with tp/pp.</summary>
    public static IReadOnlyList<string> ShippedNodes => DataPaths.Ids(Path.Combine(HardwareProfileLoader.DefaultDirectory, NodeProfileLoader.Folder));

    /// <summary>The argument list `xqsim` gets for this query, or the problems that stop it (one per parameter).</summary>
    public static (IReadOnlyList<string> Args, IReadOnlyList<string> Errors) Arguments(string command, IEnumerable<KeyValuePair<string, string>> query, IReadOnlyDictionary<string, ModelConfig>? uploads = null)
    {
        var errors = new List<string>();
        if (!Parameters.TryGetValue(command, out var allowed))
        {
            return ([], [$"unknown endpoint '/api/{Clip(command)}' (allowed: options, {string.Join(", ", Parameters.Keys)})"]);
        }
        var args = new List<string> { command };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in query)
        {
            if (!allowed.Contains(key, StringComparer.Ordinal))
            {
                errors.Add($"{Clip(key)}: unknown parameter for /api/{command} (allowed: {string.Join(", ", allowed)})");
                continue;
            }
            if (!seen.Add(key))
            {
                errors.Add($"{key}: given more than once");
                continue;
            }
            if (ValueProblem(key, value, uploads) is { } problem)
            {
                errors.Add($"{key}: {problem}");
                continue;
            }
            args.Add("--" + key);
            if (key != "max-rate" || value != "true")
            {
                args.Add(value);
            }
        }
        args.Add("--json");
        return (args, errors);
    }

    private static string? ValueProblem(string key, string value, IReadOnlyDictionary<string, ModelConfig>? uploads)
    {
        if (value.Length == 0)
        {
            return "is empty";
        }
        if (value.Length > MaxValueChars)
        {
            return $"longer than {MaxValueChars} characters";
        }
        if (value.StartsWith('-') || value.Any(char.IsControl))
        {
            return $"'{Clip(value)}' is not a value (it starts with '-' or holds control characters)";
        }
        if (value.Count(c => c == ',') >= MaxListItems)
        {
            return $"more than {MaxListItems} items";
        }
        if (key == "requests" && CliOptions.TryParseCount(value, out long n) && n > MaxSimulatedRequests)
        {
            return $"{n} requests: the explorer simulates at most {MaxSimulatedRequests} (the CLI has no such limit)";
        }
        if (key == "rate" && value.Count(c => c == ',') >= 4)
        {
            return "at most 4 rates per request";
        }
        if (key == "spec" && DraftModelId(value) is { } draft && draft != "mtp" && !ShippedModels.Contains(draft, StringComparer.Ordinal) && !(uploads?.ContainsKey(draft) ?? false))
        {
            // The drafter is a model like any other: a shipped or uploaded id, never a path.
            return $"draft '{Clip(draft)}' is not a shipped model id or an uploaded model";
        }
        IReadOnlyList<string>? shipped = key switch
        {
            "model" => [.. ShippedModels, .. (uploads?.Keys ?? [])],
            "hardware" => [.. ShippedHardware, .. ShippedNodes],
            _ => null,
        };
        if (shipped is not null)
        {
            // The API reads shipped data only: an id, never a path.
            var unknown = value.Split(',', StringSplitOptions.TrimEntries).Where(v => !shipped.Contains(v, StringComparer.Ordinal)).ToList();
            if (unknown.Count > 0)
            {
                return $"'{Clip(string.Join(",", unknown))}' is not a shipped {key} id (available: {string.Join(", ", shipped)})";
            }
        }
        return null;
    }

    /// <summary>The draft=... value of a --spec text, or null.</summary>
    private static string? DraftModelId(string spec) =>
        spec.Split(',', StringSplitOptions.TrimEntries).Where(p => p.StartsWith("draft=", StringComparison.Ordinal)).Select(p => p["draft=".Length..]).LastOrDefault();

    /// <summary>Runs the query through the CLI; 200 with its document, 400 with its error lines.</summary>
    public static ApiResponse Handle(string command, IEnumerable<KeyValuePair<string, string>> query, CancellationToken cancel = default) =>
        Handle(command, query, null, cancel);

    /// <summary>As above; models uploaded to this server (<paramref name="uploads"/>) resolve by id during this call only (<see cref="ModelOverlay"/>).</summary>
    public static ApiResponse Handle(string command, IEnumerable<KeyValuePair<string, string>> query, IReadOnlyDictionary<string, ModelConfig>? uploads, CancellationToken cancel = default)
    {
        uploads ??= new Dictionary<string, ModelConfig>();
        if (command == "options")
        {
            return new ApiResponse(200, JsonDoc.Text(Options(uploads.Keys)));
        }
        if (command == Ledgers)
        {
            return HandleLedgers(query.ToList(), uploads, cancel);
        }
        var (args, errors) = Arguments(command, query, uploads);
        if (errors.Count > 0)
        {
            return Errors(400, errors);
        }
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int rc;
        using (ModelOverlay.Use(uploads))
        {
            rc = CliApp.Run([.. args], stdout, stderr, progressToTerminal: false, cancel);
        }
        if (rc == CliApp.ExitOk)
        {
            return new ApiResponse(200, stdout.ToString());
        }
        var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l != "xqsim: see 'xqsim --help'")
            .Select(l => l.Replace("--", "", StringComparison.Ordinal))
            .ToList();
        return Errors(rc == CliApp.ExitBadInput ? 400 : 500, lines.Count > 0 ? lines : ["the request failed"]);
    }

    /// <summary>The ledgers of several schemes: each document exactly the CLI's; the first failing scheme answers for all.</summary>
    private static ApiResponse HandleLedgers(List<KeyValuePair<string, string>> query, IReadOnlyDictionary<string, ModelConfig> uploads, CancellationToken cancel)
    {
        var (_, errors) = Arguments(Ledgers, query, uploads);
        if (errors.Count > 0)
        {
            return Errors(400, errors);
        }
        var schemes = query.Where(p => p.Key == "schemes").Select(p => SchemeRegistry.SplitCliList(p.Value)).FirstOrDefault();
        if (schemes is null || schemes.Count == 0)
        {
            return Errors(400, ["schemes: give at least one scheme"]);
        }
        var docs = new List<string>();
        foreach (string scheme in schemes)
        {
            var one = query.Where(p => p.Key != "schemes").Append(KeyValuePair.Create("scheme", scheme));
            var r = Handle("ledger", one, uploads, cancel);
            if (r.Status != 200)
            {
                return r;
            }
            docs.Add(r.Json.TrimEnd('\n'));
        }
        // The CLI's documents verbatim, so each equals `xqsim ledger --json` byte for byte (less its final newline).
        return new ApiResponse(200, "{\n  \"schema\": \"xqsim.ledgers.v1\",\n  \"generator\": \"xqsim\",\n  \"documents\": [\n" + string.Join(",\n", docs) + "\n  ]\n}\n");
    }

    public static ApiResponse Errors(int status, IReadOnlyList<string> errors)
    {
        var doc = JsonDoc.Start("error");
        doc["status"] = status;
        doc["errors"] = JsonDoc.Strings(errors);
        return new ApiResponse(status, JsonDoc.Text(doc));
    }

    /// <summary>What the page's controls offer: shipped ids and the scheme grammar's defaults.</summary>
    public static JsonObject Options(IEnumerable<string>? uploaded = null)
    {
        var doc = JsonDoc.Start("options");
        doc["models"] = JsonDoc.Strings(ShippedModels);
        doc["uploaded_models"] = JsonDoc.Strings((uploaded ?? []).Order(StringComparer.Ordinal));
        doc["hardware"] = JsonDoc.Strings(ShippedHardware);
        doc["nodes"] = JsonDoc.Strings(ShippedNodes);
        doc["schemes"] = JsonDoc.Strings(MemoryCommand.DefaultSchemes.Split(','));
        doc["compare_schemes"] = JsonDoc.Strings(CompareCommand.DefaultSchemes.Split(','));
        doc["weights"] = JsonDoc.Strings(WeightPrecisions.Names);
        doc["phases"] = JsonDoc.Strings(["decode", "prefill"]);
        doc["parameters"] = new JsonObject([.. Parameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonDoc.Strings(p.Value)))]);
        return doc;
    }

    private static string Clip(string s) => JsonFields.Truncate(s);

    /// <summary>True when a body is the JSON error document (the tests read it back).</summary>
    public static bool IsError(string json) => JsonDocument.Parse(json).RootElement.GetProperty("schema").GetString() == "xqsim.error.v1";
}
