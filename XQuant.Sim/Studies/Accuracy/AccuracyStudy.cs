using XQuant.Kernels.Engine;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Studies.Checkpoints;

namespace XQuant.Sim.Studies.Accuracy;

/// <summary>What `xqsim accuracy` was asked: a model (synthetic id or checkpoint folder), schemes, and the tokens to score.</summary>
/// <param name="Schemes">Schemes in the scheme grammar, or null for the model's defaults.</param>
/// <param name="MaxTokens">Tokens to run; for a token or text file, at most this many.</param>
public sealed record AccuracyRequest(
    string Model,
    string? Schemes,
    int MaxTokens,
    string? TokenFile,
    string? TextFile,
    int Seed,
    SyntheticStructure Structure,
    int TensorParallel = 1);

/// <summary>Everything loaded and checked, ready to run: the weights, the schemes, the tokens and how to describe them.</summary>
/// <param name="SyntheticConfig">The synthetic model's shape (null for a checkpoint), written beside the results so `pareto` can cost it.</param>
public sealed record AccuracyPlan(
    EngineWeights Weights,
    IReadOnlyList<EngineScheme> Schemes,
    TokenPlan Tokens,
    AccuracyOrigin Origin,
    string ModelId,
    string Dataset,
    int Vocab,
    string Description,
    string ModelNote,
    EngineConfig? SyntheticConfig);

/// <summary>xqsim accuracy as a study: request -> plan (every input loaded and checked first) -> result.</summary>
public static class AccuracyStudy
{
    public const int MaxTokensLimit = 1 << 16;

    /// <summary>svd=per-rank schemes factor one SVD per rank's KV heads: TP slices, so TP must divide the KV heads.</summary>
    private static List<EngineScheme> WithShards(IReadOnlyList<EngineScheme> list, int tp, int kvHeads)
    {
        if (list.Any(s => s.SvdShards == 0) && (tp < 1 || kvHeads % tp != 0))
        {
            throw new InputException("--tp", "", $"{tp} does not divide the {kvHeads} KV heads of the model, which svd=per-rank factors rank by rank");
        }
        return list.Select(s => s.SvdShards == 0 ? s with { SvdShards = tp } : s).ToList();
    }

    /// <summary>Problems visible from the request alone, all of them (nothing is loaded yet).</summary>
    public static IReadOnlyList<InputError> Check(AccuracyRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var errors = new List<InputError>();
        if (r.MaxTokens < 2 || r.MaxTokens > MaxTokensLimit)
        {
            errors.Add(new InputError("--tokens", "", $"{r.MaxTokens} must be from 2 to {MaxTokensLimit}"));
        }
        if (r.TokenFile is not null && r.TextFile is not null)
        {
            errors.Add(new InputError("--text", "", "give --token-file or --text, not both"));
        }
        bool checkpoint = Directory.Exists(r.Model);
        if (r.TextFile is not null && !checkpoint)
        {
            errors.Add(new InputError("--text", "", "text needs a checkpoint folder with tokenizer.json as --model"));
        }
        if (r.TextFile is not null && checkpoint && !File.Exists(r.TextFile))
        {
            errors.Add(new InputError(r.TextFile, "", "text file not found"));
        }
        if (checkpoint && r.TokenFile is null && r.TextFile is null)
        {
            errors.Add(new InputError("--token-file", "", "a checkpoint needs --token-file or --text (the tokens to score)"));
        }
        return errors;
    }

    /// <summary>Loads the model and the tokens; throws <see cref="InputException"/> naming every problem it finds.</summary>
    public static AccuracyPlan Prepare(AccuracyRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var errors = Check(r);
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }
        return Directory.Exists(r.Model) ? PrepareCheckpoint(r) : PrepareSynthetic(r);
    }

    public static AccuracyResult Run(AccuracyPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return AccuracyRunner.Run(plan.Weights, plan.Schemes, plan.Tokens, plan.Origin, plan.ModelId, plan.Dataset, plan.Vocab);
    }

    private static AccuracyPlan PrepareCheckpoint(AccuracyRequest r)
    {
        TokenizerJson? tok = r.TextFile is not null ? TokenizerJson.Load(Path.Combine(r.Model, "tokenizer.json")) : null;
        var ck = CheckpointModel.Load(r.Model, r.MaxTokens + 16);
        bool gqa = ck.Config.KvHeads < ck.Config.Heads;
        var list = WithShards(SyntheticModels.ParseSchemes(r.Schemes ?? SyntheticModels.DefaultSchemes(gqa && 2 * ck.Config.KvHeads * ck.Config.HeadDim <= ck.Config.HiddenSize)), r.TensorParallel, ck.Config.KvHeads);
        SyntheticModels.Check(list, ck.Weights.Config, r.Model);
        IReadOnlyList<int> ids;
        string dataset;
        if (tok is not null)
        {
            ids = TextPrefix.Encode(r.TextFile!, r.MaxTokens, text => tok.Encode(text, addSpecial: true));
            if (ids.Count < 2)
            {
                throw new InputException(r.TextFile!, "", "the text tokenizes to fewer than 2 tokens");
            }
            if (ids.FirstOrDefault(i => i >= ck.Vocab, -1) is int over and >= 0)
            {
                throw new InputException(tok.Path, "model.vocab", $"token id {over} is outside the checkpoint's vocabulary of {ck.Vocab} (config.json vocab_size): tokenizer and weights do not match");
            }
            dataset = Path.GetFileNameWithoutExtension(r.TextFile!);
        }
        else
        {
            ids = TokenFile.Read(r.TokenFile!, ck.Vocab, r.MaxTokens);
            dataset = Path.GetFileNameWithoutExtension(r.TokenFile!);
        }
        return new AccuracyPlan(
            ck.Weights, list, TokenPlan.Fixed(ids, $"{dataset} ({ids.Count} tokens)"), AccuracyOrigin.Checkpoint, ck.Config.Id, dataset, ck.Vocab,
            $"checkpoint {ck.Config.Id}: {ck.Config.Layers} layers, d {ck.Config.HiddenSize}, {ck.Config.Heads}/{ck.Config.KvHeads} heads; {ids.Count} tokens; schemes {string.Join(", ", list)}",
            $"real weights from {r.Model}, computed in fp32 by the CPU decode engine.",
            SyntheticConfig: null);
    }

    private static AccuracyPlan PrepareSynthetic(AccuracyRequest r)
    {
        var config = SyntheticModels.Config(r.Model, r.MaxTokens + 16, r.Seed);
        var problems = r.Structure.Problems(config);
        if (problems.Count > 0)
        {
            throw new InputException(problems.Select(x => new InputError("synthetic structure", "", x)).ToList());
        }
        var list = WithShards(SyntheticModels.ParseSchemes(r.Schemes ?? SyntheticModels.DefaultSchemes(config.KvHeads < config.Heads)), r.TensorParallel, config.KvHeads);
        SyntheticModels.Check(list, config, r.Model);
        var weights = new EngineWeights(config, r.Structure.Build(config, r.Seed));
        var tokens = r.TokenFile is not null
            ? TokenPlan.Fixed(TokenFile.Read(r.TokenFile, config.VocabSize, r.MaxTokens), Path.GetFileName(r.TokenFile))
            : TokenPlan.SampledFromReference(r.MaxTokens, r.Seed);
        return new AccuracyPlan(
            weights, list, tokens, AccuracyOrigin.Synthetic, r.Model, "synthetic", config.VocabSize,
            $"{r.Model} (synthetic: seeded random weights with structure: {r.Structure}); {r.MaxTokens} tokens; schemes {string.Join(", ", list)}",
            FormattableString.Invariant($"a seeded random-weight model ({r.Model}: d {config.HiddenSize}, {config.Layers} layers, {config.Heads}/{config.KvHeads} heads, vocab {config.VocabSize}, seed {r.Seed}) with structure knobs {r.Structure}; not a trained model."),
            config);
    }
}
