using System.Collections.Concurrent;
using System.Security.Cryptography;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Rendering.Json;

namespace XQuant.Sim.Cli.Explore;

/// <summary>
/// config.json files uploaded to the explorer (POST /api/models): parsed by the same rules as a config.json the CLI
/// reads (JsonFields.ParseBytes + ModelConfigLoader.TryRead: the same refusals, each naming its field), held in memory
/// only (nothing is written anywhere) and usable by every view through an id of the form upload-HASH. Bounded: at most
/// <see cref="MaxBytes"/> per file and <see cref="MaxModels"/> held (the oldest goes first).
/// </summary>
public sealed class ModelUploads
{
    public const int MaxBytes = 256 * 1024;
    public const int MaxModels = 32;
    public const string Prefix = "upload-";

    /// <summary>The name errors give the uploaded file, as the CLI names a file it reads.</summary>
    public const string SourceName = "config.json";

    private readonly ConcurrentDictionary<string, ModelConfig> _models = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();
    private readonly Lock _add = new();

    /// <summary>The models held now, by id (a snapshot: later uploads do not change it).</summary>
    public IReadOnlyDictionary<string, ModelConfig> Snapshot() => new Dictionary<string, ModelConfig>(_models, StringComparer.Ordinal);

    /// <summary>Parses and keeps one config.json: 200 with its id and shape, or 400/413 with one line per problem.</summary>
    public ApiResponse Add(ReadOnlySpan<byte> body)
    {
        if (body.Length > MaxBytes)
        {
            return ExploreApi.Errors(413, [$"{SourceName}: {body.Length} bytes, larger than the {MaxBytes / 1024} KiB an upload may be"]);
        }
        var errors = new List<InputError>();
        byte[] bytes = body.ToArray();
        using var doc = JsonFields.ParseBytes(SourceName, bytes, errors);
        string id = Prefix + Convert.ToHexStringLower(SHA256.HashData(bytes))[..12];
        var model = doc is null ? null : ModelConfigLoader.TryRead(SourceName, id, doc.RootElement, errors);
        if (model is null || errors.Count > 0)
        {
            return ExploreApi.Errors(400, errors.Count > 0 ? [.. errors.Select(e => e.ToString())] : [$"{SourceName}: not a model config"]);
        }
        lock (_add)
        {
            if (_models.TryAdd(id, model))
            {
                _order.Enqueue(id);
            }
            while (_models.Count > MaxModels && _order.TryDequeue(out string? oldest))
            {
                _models.TryRemove(oldest, out _);
            }
        }
        return new ApiResponse(200, JsonDoc.Text(Document(model)));
    }

    private static System.Text.Json.Nodes.JsonObject Document(ModelConfig m)
    {
        var doc = JsonDoc.Start("upload");
        doc["model"] = m.Id;
        doc["layers"] = m.Layers;
        doc["hidden_size"] = m.HiddenSize;
        doc["attention_heads"] = m.Heads;
        doc["kv_heads"] = m.KvHeads;
        doc["head_dim"] = m.HeadDim;
        doc["attention"] = m.AttentionKind;
        doc["parameters"] = JsonDoc.Num(m.TotalParams);
        return doc;
    }
}
