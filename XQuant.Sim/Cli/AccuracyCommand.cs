using System.CommandLine;
using XQuant.Kernels.Engine;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Rendering.Reports;
using XQuant.Sim.Studies.Accuracy;
using XQuant.Sim.Studies.Checkpoints;

namespace XQuant.Sim.Cli;

/// <summary>xqsim accuracy: each scheme beside the FP16 cache through the decode engine; errors, KL, top-1, perplexity.</summary>
public static class AccuracyCommand
{
    public static Command Create(CliContext ctx)
    {
        var model = new Option<string>("--model", "-m") { Description = "synthetic-mha, synthetic-gqa, or a Llama-family checkpoint folder (config.json + *.safetensors)", DefaultValueFactory = _ => "synthetic-mha" };
        var schemes = new Option<string?>("--schemes", "-s") { Description = "engine schemes, comma-separated: kivi:B, xquant:B, xquant-cl:B (base 3 layers at 4 bits), xquant-gqa:B[+fp16first], xquant-cl-gqa:B (GQA: 2 kv_dim <= hidden; base 3 layers at 4 bits); the FP16 cache is always the reference" };
        var tokens = new Option<int>("--tokens", "-n") { Description = "tokens to run (for a token or text file: at most this many)", DefaultValueFactory = _ => 384 };
        var tokenFile = new Option<string?>("--token-file") { Description = "token ids: one integer per line, or little-endian int32 with a .bin extension (teacher-forced; perplexity of each next id)" };
        var text = new Option<string?>("--text") { Description = "plain text, tokenized with the checkpoint's tokenizer.json" };
        var seed = new Option<int>("--seed") { Description = "seed of the synthetic weights and of the sampled tokens", DefaultValueFactory = _ => 1234 };
        var outDir = new Option<string>("--out", "-o") { Description = "folder for accuracy.csv, accuracy-layers.csv, accuracy.md, quality.csv", DefaultValueFactory = _ => "accuracy" };
        var outliers = new Option<int>("--outlier-channels") { Description = "synthetic: channels of X with large magnitude (same in every layer)", DefaultValueFactory = _ => 4 };
        var outlierGain = new Option<float>("--outlier-gain") { Description = "synthetic: magnitude of those channels relative to the rest", DefaultValueFactory = _ => 8f };
        var residualGain = new Option<float>("--residual-gain") { Description = "synthetic: scale of each layer's update to the residual stream (small = X changes little layer to layer)", DefaultValueFactory = _ => 0.2f };
        var normJitter = new Option<float>("--norm-jitter") { Description = "synthetic: relative layer-to-layer variation of the norm weights", DefaultValueFactory = _ => 0.05f };
        var logitGain = new Option<float>("--logit-gain") { Description = "synthetic: LM-head scale (peaked next-token distributions)", DefaultValueFactory = _ => 4f };
        var command = new Command("accuracy", "Measured quality: run each cache scheme beside the FP16 cache through the decode engine over the same tokens; K/V, attention and hidden-state errors, KL, top-1 agreement, perplexity. Every number is labelled synthetic or checkpoint.")
        {
            model, schemes, tokens, tokenFile, text, seed, outDir, outliers, outlierGain, residualGain, normJitter, logitGain,
        };
        command.SetAction(p =>
        {
            string m = p.GetValue(model)!;
            int n = p.GetValue(tokens);
            if (n < 2 || n > 1 << 16)
            {
                throw new InputException("--tokens", "", $"{n} must be from 2 to 65536");
            }
            string? tf = p.GetValue(tokenFile), txt = p.GetValue(text);
            if (tf is not null && txt is not null)
            {
                throw new InputException("--text", "", "give --token-file or --text, not both");
            }
            bool checkpoint = Directory.Exists(m);
            AccuracyResult result;
            string note;
            string cmd = "xqsim accuracy " + string.Join(' ', p.Tokens.Where(t => t.Type != System.CommandLine.Parsing.TokenType.Command).Select(t => t.Value));
            string dir = p.GetValue(outDir)!;
            if (checkpoint)
            {
                TokenizerJson? tok = txt is not null ? TokenizerJson.Load(Path.Combine(m, "tokenizer.json")) : null;
                if (txt is not null && !File.Exists(txt))
                {
                    throw new InputException(txt, "", "text file not found");
                }
                var ck = CheckpointModel.Load(m, n + 16);
                bool gqa = ck.Config.KvHeads < ck.Config.Heads;
                var list = SyntheticModels.ParseSchemes(p.GetValue(schemes) ?? SyntheticModels.DefaultSchemes(gqa && 2 * ck.Config.KvHeads * ck.Config.HeadDim <= ck.Config.HiddenSize));
                SyntheticModels.Check(list, ck.Weights.Config, m);
                IReadOnlyList<int> ids;
                string dataset;
                if (tok is not null && txt is not null)
                {
                    ids = tok.Encode(File.ReadAllText(txt), addSpecial: true).Take(n).ToList();
                    if (ids.Count < 2)
                    {
                        throw new InputException(txt, "", "the text tokenizes to fewer than 2 tokens");
                    }
                    if (ids.FirstOrDefault(i => i >= ck.Vocab, -1) is int over and >= 0)
                    {
                        throw new InputException(tok.Path, "model.vocab", $"token id {over} is outside the checkpoint's vocabulary of {ck.Vocab} (config.json vocab_size): tokenizer and weights do not match");
                    }
                    dataset = Path.GetFileNameWithoutExtension(txt);
                }
                else if (tf is not null)
                {
                    ids = TokenFile.Read(tf, ck.Vocab, n);
                    dataset = Path.GetFileNameWithoutExtension(tf);
                }
                else
                {
                    throw new InputException("--token-file", "", "a checkpoint needs --token-file or --text (the tokens to score)");
                }
                ctx.Out.WriteLine($"checkpoint {ck.Config.Id}: {ck.Config.Layers} layers, d {ck.Config.HiddenSize}, {ck.Config.Heads}/{ck.Config.KvHeads} heads; {ids.Count} tokens; schemes {string.Join(", ", list)}");
                result = AccuracyRunner.Run(ck.Weights, list, TokenPlan.Fixed(ids, $"{dataset} ({ids.Count} tokens)"), AccuracyOrigin.Checkpoint, ck.Config.Id, dataset, ck.Vocab);
                note = $"real weights from {m}, computed in fp32 by the CPU decode engine.";
            }
            else
            {
                if (txt is not null)
                {
                    throw new InputException("--text", "", "text needs a checkpoint folder with tokenizer.json as --model");
                }
                var structure = new SyntheticStructure(p.GetValue(outliers), p.GetValue(outlierGain), p.GetValue(residualGain), p.GetValue(normJitter), p.GetValue(logitGain));
                int s = p.GetValue(seed);
                var config = SyntheticModels.Config(m, n + 16, s);
                var problems = structure.Problems(config);
                if (problems.Count > 0)
                {
                    throw new InputException(problems.Select(x => new InputError("synthetic structure", "", x)).ToList());
                }
                var list = SyntheticModels.ParseSchemes(p.GetValue(schemes) ?? SyntheticModels.DefaultSchemes(config.KvHeads < config.Heads));
                SyntheticModels.Check(list, config, m);
                var weights = new EngineWeights(config, structure.Build(config, s));
                var plan = tf is not null ? TokenPlan.Fixed(TokenFile.Read(tf, config.Vocab, n), Path.GetFileName(tf)) : TokenPlan.SampledFromReference(n, s);
                ctx.Out.WriteLine($"{m} (synthetic: seeded random weights with structure: {structure}); {n} tokens; schemes {string.Join(", ", list)}");
                result = AccuracyRunner.Run(weights, list, plan, AccuracyOrigin.Synthetic, m, "synthetic", config.Vocab);
                note = FormattableString.Invariant($"a seeded random-weight model ({m}: d {config.Hidden}, {config.Layers} layers, {config.Heads}/{config.KvHeads} heads, vocab {config.Vocab}, seed {s}) with structure knobs {structure}; not a trained model.");
                OutputSet.Write(dir, [OutputFile.Text(m + ".json", SyntheticConfigJson(config))]);
            }
            ctx.Out.WriteLine();
            ctx.Out.Write(AccuracyReport.Table(result, exact: false).ToConsole());
            ctx.Out.WriteLine();
            foreach (string line in AccuracyReport.Markdown(result, cmd.Trim(), note).Split('\n').SkipWhile(l => !l.StartsWith("## ", StringComparison.Ordinal)))
            {
                ctx.Out.WriteLine(line);
            }
            foreach (string f in OutputSet.Write(dir, AccuracyReport.Files(result, cmd.Trim(), note)))
            {
                ctx.Out.WriteLine(f);
            }
            return CliApp.ExitOk;
        });
        return command;
    }

    /// <summary>A Hugging Face-style config.json of the synthetic model, so `xqsim pareto --model` can cost it.</summary>
    private static string SyntheticConfigJson(EngineConfig c) => FormattableString.Invariant(
        $"{{\n  \"model_type\": \"llama\",\n  \"hidden_size\": {c.Hidden},\n  \"num_hidden_layers\": {c.Layers},\n  \"num_attention_heads\": {c.Heads},\n  \"num_key_value_heads\": {c.KvHeads},\n  \"head_dim\": {c.HeadDim},\n  \"intermediate_size\": {c.Intermediate},\n  \"vocab_size\": {c.Vocab},\n  \"max_position_embeddings\": {c.MaxContext},\n  \"torch_dtype\": \"bfloat16\"\n}}\n");
}
