using System.CommandLine;
using XQuant.Kernels.Engine;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Rendering.Reports;
using XQuant.Sim.Studies.Accuracy;

namespace XQuant.Sim.Cli;

/// <summary>xqsim accuracy: each scheme beside the FP16 cache through the decode engine; errors, KL, top-1, perplexity.</summary>
public static class AccuracyCommand
{
    public static Command Create(CliContext ctx)
    {
        var model = new Option<string>("--model", "-m") { Description = "synthetic-mha, synthetic-gqa, or a Llama-family checkpoint folder (config.json + *.safetensors)", DefaultValueFactory = _ => "synthetic-mha" };
        var schemes = new Option<string?>("--schemes", "-s") { Description = "schemes in the scheme grammar (xqsim schemes), comma-separated: kivi:B, xquant:B, xquant-cl:B (base 3 layers at 4 bits by default), xquant-gqa:B[,fp16first=1], xquant-cl-gqa:B (GQA: 2 kv_dim <= hidden); options g, window, base; the FP16 cache is always the reference" };
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
        var tp = new Option<int>("--tp") { Description = "tensor-parallel ranks for xquant-gqa svd=per-rank: one SVD per rank's slice of the KV heads (must divide them)", DefaultValueFactory = _ => 1 };
        var command = new Command("accuracy", "Measured quality: run each cache scheme beside the FP16 cache through the decode engine over the same tokens; K/V, attention and hidden-state errors, KL, top-1 agreement, perplexity. Every number is labelled synthetic or checkpoint.")
        {
            model, schemes, tokens, tokenFile, text, seed, outDir, outliers, outlierGain, residualGain, normJitter, logitGain, tp,
        };
        command.SetAction(p =>
        {
            OutputSet.CheckFolder(p.GetValue(outDir)!);
            var request = new AccuracyRequest(
                p.GetValue(model)!, p.GetValue(schemes), p.GetValue(tokens), p.GetValue(tokenFile), p.GetValue(text), p.GetValue(seed),
                new SyntheticStructure(p.GetValue(outliers), p.GetValue(outlierGain), p.GetValue(residualGain), p.GetValue(normJitter), p.GetValue(logitGain)),
                p.GetValue(tp));
            var plan = AccuracyStudy.Prepare(request);
            string cmd = ("xqsim accuracy " + string.Join(' ', p.Tokens.Where(t => t.Type != System.CommandLine.Parsing.TokenType.Command).Select(t => t.Value))).Trim();
            string dir = p.GetValue(outDir)!;
            ctx.Out.WriteLine(plan.Description);
            var result = AccuracyStudy.Run(plan);
            ctx.Out.WriteLine();
            ctx.Out.Write(AccuracyReport.Table(result, exact: false).ToConsole());
            ctx.Out.WriteLine();
            foreach (string line in AccuracyReport.Markdown(result, cmd, plan.ModelNote).Split('\n').SkipWhile(l => !l.StartsWith("## ", StringComparison.Ordinal)))
            {
                ctx.Out.WriteLine(line);
            }
            foreach (string f in OutputSet.Write(dir, AccuracyReport.Files(result, cmd, plan.ModelNote, plan.SyntheticConfig)))
            {
                ctx.Out.WriteLine(f);
            }
            return CliApp.ExitOk;
        });
        return command;
    }
}
