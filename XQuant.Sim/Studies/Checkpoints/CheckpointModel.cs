using System.Globalization;
using System.Text.Json;
using XQuant.Kernels.Attention;
using XQuant.Kernels.Engine;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Domain.Models;

namespace XQuant.Sim.Studies.Checkpoints;

/// <summary>
/// A Llama-family checkpoint folder (config.json + *.safetensors, single or sharded with model.safetensors.index.json)
/// mapped onto the decode engine. Hugging Face names: model.embed_tokens.weight, model.layers.N.input_layernorm.weight,
/// model.layers.N.self_attn.{q,k,v,o}_proj.weight, model.layers.N.post_attention_layernorm.weight,
/// model.layers.N.mlp.{gate,up,down}_proj.weight, model.norm.weight, lm_head.weight (or tied to the embedding).
/// Linear weights are [out, in] and are transposed to the engine's x W layout; RoPE is the rotate-half form both use,
/// with config.json's rope_scaling (linear, llama3) applied to its frequencies.
/// </summary>
public sealed record CheckpointModel(ModelConfig Config, EngineWeights Weights, int Vocab, string Folder)
{
    private static readonly string[] Families = ["llama", "mistral"];

    /// <summary>Loads the folder for contexts up to <paramref name="maxContext"/> tokens; the vocabulary is padded to a multiple of 32 for the engine.</summary>
    public static CheckpointModel Load(string folder, int maxContext)
    {
        string configPath = Path.Combine(folder, "config.json");
        if (!File.Exists(configPath))
        {
            throw new InputException(folder, "", "no config.json in the checkpoint folder");
        }
        var model = ModelConfigLoader.Load(configPath);
        var (eps, theta, scaling) = ReadExtras(configPath, model);
        var files = ShardFiles(folder);
        var opened = new List<SafetensorsFile>();
        try
        {
            var where = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            foreach (string f in files)
            {
                var st = SafetensorsFile.Open(f);
                opened.Add(st);
                foreach (string name in st.Tensors.Keys)
                {
                    if (where.TryGetValue(name, out var other))
                    {
                        throw new InputException(st.Path, name, $"is also in {other.Path}: a tensor must be in one shard only");
                    }
                    where[name] = st;
                }
            }
            return Map(model, eps, theta, scaling, where, maxContext, folder);
        }
        finally
        {
            opened.ForEach(f => f.Dispose());
        }
    }

    /// <summary>The one rule for JSON inputs (as in JsonFields): // comments skipped, trailing commas refused.</summary>
    private static readonly JsonDocumentOptions JsonRules = new() { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 };

    private static (float Eps, double Theta, RopeScaling? Scaling) ReadExtras(string configPath, ModelConfig model)
    {
        using var doc = JsonDocument.Parse(InputFiles.ReadSmall(configPath), JsonRules);
        var root = doc.RootElement;
        var errors = new List<InputError>();
        string type = root.TryGetProperty("model_type", out var mt) && mt.ValueKind == JsonValueKind.String ? mt.GetString()! : "";
        if (!Families.Contains(type))
        {
            errors.Add(new InputError(configPath, "model_type", $"'{JsonFields.Truncate(type)}': only Llama-family checkpoints ({string.Join(", ", Families)}) map onto the engine"));
        }
        if (model.AttentionBias)
        {
            errors.Add(new InputError(configPath, "attention_bias", "attention biases are not supported by the engine"));
        }
        RopeScaling? scaling = null;
        if (root.TryGetProperty("rope_scaling", out var rs) && rs.ValueKind != JsonValueKind.Null)
        {
            scaling = ReadScaling(configPath, rs, errors);
        }
        float eps = root.TryGetProperty("rms_norm_eps", out var e) && e.TryGetDouble(out double ev) && ev > 0 && ev < 1 ? (float)ev : 1e-5f;
        double theta = root.TryGetProperty("rope_theta", out var t) && t.TryGetDouble(out double tv) && tv > 1 ? tv : 10000.0;
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }
        return (eps, theta, scaling);
    }

    /// <summary>config.json rope_scaling: linear and llama3 (Llama-3.1+) map onto the engine's RoPE table; "default" means none.</summary>
    private static RopeScaling? ReadScaling(string configPath, JsonElement rs, List<InputError> errors)
    {
        if (rs.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new InputError(configPath, "rope_scaling", "must be an object or null"));
            return null;
        }
        string type = (rs.TryGetProperty("rope_type", out var rt) || rs.TryGetProperty("type", out rt)) && rt.ValueKind == JsonValueKind.String ? rt.GetString()! : "";
        if (type == "default")
        {
            return null;
        }
        if (type is not (RopeScaling.Linear or RopeScaling.Llama3))
        {
            errors.Add(new InputError(configPath, "rope_scaling.rope_type", $"'{JsonFields.Truncate(type)}': the engine supports RoPE scaling of type linear and llama3 only"));
            return null;
        }
        double Num(string name, double fallback, bool required)
        {
            if (rs.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d))
            {
                return d;
            }
            if (required || rs.TryGetProperty(name, out _))
            {
                errors.Add(new InputError(configPath, "rope_scaling." + name, "missing or not a number"));
            }
            return fallback;
        }
        bool l3 = type == RopeScaling.Llama3;
        double factor = Num("factor", 1, required: true);
        double low = Num("low_freq_factor", 1, l3), high = Num("high_freq_factor", 4, l3), original = Num("original_max_position_embeddings", 8192, l3);
        if (original != Math.Floor(original) || original > int.MaxValue)
        {
            errors.Add(new InputError(configPath, "rope_scaling.original_max_position_embeddings", $"{original.ToString(CultureInfo.InvariantCulture)} is not a positive integer"));
            return null;
        }
        var scaling = new RopeScaling(type, factor, low, high, (int)original);
        errors.AddRange(scaling.Problems().Select(p => new InputError(configPath, "rope_scaling", p)));
        return scaling;
    }

    private static List<string> ShardFiles(string folder)
    {
        string index = Path.Combine(folder, "model.safetensors.index.json");
        if (File.Exists(index))
        {
            try
            {
                using var doc = JsonDocument.Parse(InputFiles.ReadSmall(index), JsonRules);
                var map = doc.RootElement.GetProperty("weight_map");
                var names = map.EnumerateObject().Select(p => p.Value.GetString() ?? "").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                var missing = names.Where(n => n.Length == 0 || n.Contains('/', StringComparison.Ordinal) || n.Contains('\\', StringComparison.Ordinal) || !File.Exists(Path.Combine(folder, n))).ToList();
                if (missing.Count > 0)
                {
                    throw new InputException(index, "weight_map", $"shard(s) not found in the folder: {string.Join(", ", missing.Take(3).Select(m => JsonFields.Truncate(m)))}");
                }
                return names.Select(n => Path.Combine(folder, n)).ToList();
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new InputException(index, "", "not a valid safetensors index (needs a weight_map object of tensor name -> shard file)");
            }
        }
        var files = Directory.GetFiles(folder, "*.safetensors").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new InputException(folder, "", "no *.safetensors files in the checkpoint folder");
        }
        return files;
    }

    /// <summary>
    /// The engine holds every weight as FP32 in managed arrays: refuse, before reading anything, a shape whose largest
    /// array passes the runtime's limit or whose weights do not fit the memory this process may use (a vocabulary of
    /// 2^26 over a sparse file asked for 16 GiB arrays and died of an overflow).
    /// </summary>
    private static void CheckEngineMemory(ModelConfig m, long paddedVocab, string configPath)
    {
        long d = m.HiddenSize, q = (long)m.Heads * m.HeadDim, kv = (long)m.KvHeads * m.HeadDim, f = m.IntermediateSize;
        long embedding = paddedVocab * d;
        if (embedding > Array.MaxLength)
        {
            throw new InputException(configPath, "vocab_size", $"{m.VocabSize} x hidden_size {d} = {embedding} embedding weights, more than one array can hold ({Array.MaxLength}) in the engine");
        }
        if (Math.Max(f, q) * d > Array.MaxLength)
        {
            throw new InputException(configPath, "intermediate_size", $"a {Math.Max(f, q)} x {d} projection is more than one array can hold ({Array.MaxLength}) in the engine");
        }
        double bytes = 4.0 * ((2.0 * embedding) + (m.Layers * ((2.0 * d) + (2.0 * q * d) + (2.0 * kv * d) + (3.0 * f * d))) + d);
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (bytes > available)
        {
            throw new InputException(configPath, "", string.Create(CultureInfo.InvariantCulture, $"the engine needs {bytes / (1 << 30):0.#} GiB for the FP32 weights; this process may use {available / (double)(1 << 30):0.#} GiB"));
        }
    }

    private static CheckpointModel Map(ModelConfig m, float eps, double theta, RopeScaling? scaling, Dictionary<string, SafetensorsFile> t, int maxContext, string folder)
    {
        int d = m.HiddenSize, q = m.Heads * m.HeadDim, kv = m.KvHeads * m.HeadDim, f = m.IntermediateSize, vocab = m.VocabSize;
        int paddedVocab = (vocab + 31) / 32 * 32;
        var config = new EngineConfig(d, m.Layers, m.Heads, m.KvHeads, m.HeadDim, f, paddedVocab, maxContext, RopeTheta: theta, RopeScaling: scaling);
        var problems = config.Problems();
        if (problems.Count > 0)
        {
            throw new InputException(folder, "config.json", $"the engine cannot run this shape: {string.Join("; ", problems)}");
        }
        CheckEngineMemory(m, paddedVocab, Path.Combine(folder, "config.json"));
        var errors = new List<InputError>();
        void Expect(string name, params long[] shape)
        {
            if (!t.TryGetValue(name, out var file))
            {
                errors.Add(new InputError(folder, name, "tensor missing from the checkpoint"));
                return;
            }
            var e = file.Tensors[name];
            if (!e.Shape.SequenceEqual(shape))
            {
                errors.Add(new InputError(file.Path, name, $"shape [{string.Join(", ", e.Shape)}], expected [{string.Join(", ", shape)}] from config.json"));
            }
            else if (SafetensorsFile.ElementSize(e.DType) == 0)
            {
                errors.Add(new InputError(file.Path, name, $"dtype {e.DType} is not supported (F32, F16, BF16)"));
            }
        }
        bool tied = !t.ContainsKey("lm_head.weight");
        Expect("model.embed_tokens.weight", vocab, d);
        Expect("model.norm.weight", d);
        if (!tied)
        {
            Expect("lm_head.weight", vocab, d);
        }
        for (int l = 0; l < m.Layers && errors.Count < 8; l++)
        {
            string p = string.Create(CultureInfo.InvariantCulture, $"model.layers.{l}.");
            Expect(p + "input_layernorm.weight", d);
            Expect(p + "post_attention_layernorm.weight", d);
            Expect(p + "self_attn.q_proj.weight", q, d);
            Expect(p + "self_attn.k_proj.weight", kv, d);
            Expect(p + "self_attn.v_proj.weight", kv, d);
            Expect(p + "self_attn.o_proj.weight", d, q);
            Expect(p + "mlp.gate_proj.weight", f, d);
            Expect(p + "mlp.up_proj.weight", f, d);
            Expect(p + "mlp.down_proj.weight", d, f);
        }
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }
        float[] R(string name) => t[name].Read(name);
        float[] T(string name) => t[name].ReadTransposed(name);
        var embedding = new float[(long)paddedVocab * d];
        R("model.embed_tokens.weight").CopyTo(embedding, 0);
        var head = new float[(long)d * paddedVocab];
        var headT = tied ? T("model.embed_tokens.weight") : T("lm_head.weight");
        for (int r = 0; r < d; r++)
        {
            headT.AsSpan(r * vocab, vocab).CopyTo(head.AsSpan(r * paddedVocab));
        }
        var layers = new List<LayerTensors>();
        for (int l = 0; l < m.Layers; l++)
        {
            string p = string.Create(CultureInfo.InvariantCulture, $"model.layers.{l}.");
            layers.Add(new LayerTensors(
                R(p + "input_layernorm.weight"), R(p + "post_attention_layernorm.weight"),
                T(p + "self_attn.q_proj.weight"), T(p + "self_attn.k_proj.weight"), T(p + "self_attn.v_proj.weight"), T(p + "self_attn.o_proj.weight"),
                T(p + "mlp.gate_proj.weight"), T(p + "mlp.up_proj.weight"), T(p + "mlp.down_proj.weight")));
        }
        var weights = new EngineWeights(config, new ModelTensors(embedding, layers, R("model.norm.weight"), head, eps));
        return new CheckpointModel(m, weights, vocab, folder);
    }
}
