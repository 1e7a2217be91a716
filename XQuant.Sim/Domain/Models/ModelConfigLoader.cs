using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Domain.Models;

/// <summary>Reads a Hugging Face config.json as published: unknown keys are fine, missing required ones are errors.</summary>
public static class ModelConfigLoader
{
    private const long MaxDim = 1 << 20;

    /// <summary>Widths (heads x head_dim) are ints in the layouts; 2^24 leaves room for bits x width in an int.</summary>
    private const long MaxWidth = 1 << 24;

    public static string DefaultDirectory => DataPaths.Find("models");

    public static ModelConfig Resolve(string idOrPath, string source = "--model")
    {
        if (ModelOverlay.Find(idOrPath) is { } held)
        {
            return held;
        }
        if (DataPaths.LooksLikePath(idOrPath))
        {
            return Load(idOrPath);
        }
        string dir = DefaultDirectory;
        string path = Path.Combine(dir, idOrPath + ".json");
        if (!File.Exists(path))
        {
            throw new InputException(source, "", $"model '{JsonFields.Truncate(idOrPath)}' not found in {dir} (available: {string.Join(", ", DataPaths.Ids(dir))}; or give a path to a config.json)");
        }
        return Load(path);
    }

    public static IReadOnlyList<ModelConfig> LoadAll(string? directory = null)
    {
        string dir = directory ?? DefaultDirectory;
        var errors = new List<InputError>();
        var models = new List<ModelConfig>();
        foreach (string id in DataPaths.Ids(dir))
        {
            var m = TryLoad(Path.Combine(dir, id + ".json"), errors);
            if (m is not null)
            {
                models.Add(m);
            }
        }
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }
        return models;
    }

    public static ModelConfig Load(string path)
    {
        var errors = new List<InputError>();
        var model = TryLoad(path, errors);
        if (model is null || errors.Count > 0)
        {
            throw new InputException(errors);
        }
        return model;
    }

    public static ModelConfig? TryLoad(string path, List<InputError> errors)
    {
        using var doc = JsonFields.ParseFile(path, errors);
        if (doc is null)
        {
            return null;
        }
        string id = Path.GetFileNameWithoutExtension(path);
        if (string.Equals(id, "config", StringComparison.Ordinal))
        {
            // A downloaded checkpoint folder: name the model after its folder.
            id = new DirectoryInfo(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".").Name;
        }
        return TryRead(path, id, doc.RootElement, errors);
    }

    public static ModelConfig? TryRead(string source, string id, System.Text.Json.JsonElement root, List<InputError> errors)
    {
        int before = errors.Count;
        var f = new JsonFields(source, root, errors);
        long d = f.RequiredInteger("hidden_size", 1, MaxDim);
        long layers = f.RequiredInteger("num_hidden_layers", 1, 100_000);
        long heads = f.RequiredInteger("num_attention_heads", 1, MaxDim);
        long kvHeads = f.OptionalInteger("num_key_value_heads", 1, MaxDim) ?? heads;
        long ff = f.RequiredInteger("intermediate_size", 1, 1L << 24);
        long vocab = f.RequiredInteger("vocab_size", 1, 1L << 26);
        long maxPos = f.OptionalInteger("max_position_embeddings", 1, 1L << 40) ?? 0;
        string modelType = f.OptionalString("model_type") ?? "";
        bool tie = f.OptionalBool("tie_word_embeddings") ?? ModelSupport.DefaultTieWordEmbeddings(modelType);
        bool bias = f.OptionalBool("attention_bias") ?? false;
        string dtype = f.OptionalString("torch_dtype") ?? "bfloat16";
        long headDim = 0;
        if (f.Has("head_dim"))
        {
            headDim = f.OptionalInteger("head_dim", 1, MaxDim) ?? 0;
        }
        else if (heads > 0 && d > 0)
        {
            if (d % heads != 0)
            {
                f.Error("hidden_size", $"{d} is not divisible by num_attention_heads {heads}; give head_dim explicitly");
            }
            headDim = d / Math.Max(heads, 1);
        }
        if (heads * Math.Max(headDim, 1) > MaxWidth)
        {
            f.Error("num_attention_heads", $"{heads} heads x head_dim {headDim} = {heads * headDim} is larger than the {MaxWidth} xqsim supports");
        }
        if (heads > 0 && kvHeads > 0 && heads % kvHeads != 0)
        {
            f.Error("num_key_value_heads", $"{kvHeads} does not divide num_attention_heads {heads}");
        }
        ModelSupport.RejectUnmodelled(f, maxPos);
        var moe = ModelSupport.ReadMoe(f, layers);
        var window = ModelSupport.ReadWindow(f, layers, maxPos);
        var mla = ModelSupport.ReadMla(f);
        var extras = ModelSupport.ReadExtras(f, modelType, bias);
        if (errors.Count > before)
        {
            return null;
        }
        return new ModelConfig
        {
            Id = id,
            HiddenSize = (int)d,
            Layers = (int)layers,
            Heads = (int)heads,
            KvHeads = (int)kvHeads,
            HeadDim = (int)headDim,
            IntermediateSize = (int)ff,
            VocabSize = (int)vocab,
            MaxPositionEmbeddings = (int)Math.Min(maxPos, int.MaxValue),
            TieWordEmbeddings = tie,
            AttentionBias = bias || string.Equals(modelType, "qwen2", StringComparison.Ordinal),
            TorchDtype = dtype,
            SourcePath = source,
            Moe = moe,
            Window = window,
            Mla = mla,
            Extras = extras,
        };
    }
}
