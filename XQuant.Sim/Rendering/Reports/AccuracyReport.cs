using System.Globalization;
using System.Text;
using XQuant.Kernels.Engine;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Studies.Accuracy;

namespace XQuant.Sim.Rendering.Reports;

/// <summary>accuracy.csv, accuracy-layers.csv, accuracy.md and quality.csv (the format `xqsim pareto --quality` reads).</summary>
public static class AccuracyReport
{
    public static TextTable Table(AccuracyResult r, bool exact)
    {
        ArgumentNullException.ThrowIfNull(r);
        Func<double, string> f = exact ? Formats.Exact : v => Formats.Sig(v);
        return TextTable.Build(
            [
                new TableColumn<SchemeAccuracy>("source", "synthetic = seeded random-weight model with structure knobs; checkpoint = real weights", _ => r.Label, AlignRight: false),
                new TableColumn<SchemeAccuracy>("scheme", "engine scheme (the FP16 cache is the reference)", s => s.Scheme, AlignRight: false),
                new TableColumn<SchemeAccuracy>("bits", "stored bits (delta bits for xquant-cl)", s => Formats.Int(s.Bits)),
                new TableColumn<SchemeAccuracy>("size", "cache bytes / FP16 cache bytes at the last step", s => f(s.NormalizedSize)),
                new TableColumn<SchemeAccuracy>("k_rel_err", "||K - K_fp16|| / ||K_fp16||, all layers and tokens, last step", s => f(s.KRelError)),
                new TableColumn<SchemeAccuracy>("v_rel_err", "same for V", s => f(s.VRelError)),
                new TableColumn<SchemeAccuracy>("attn_rel_err", "attention output relative error, mean over layers", s => f(s.AttnRelError)),
                new TableColumn<SchemeAccuracy>("hidden_rel_err", "final hidden state (after the final norm) relative error", s => f(s.HiddenRelError)),
                new TableColumn<SchemeAccuracy>("kl_nats", "mean KL(p_fp16 || p_scheme) of the next-token distribution", s => f(s.MeanKl)),
                new TableColumn<SchemeAccuracy>("top1", "fraction of steps with the same argmax token", s => f(s.Top1Agreement)),
                new TableColumn<SchemeAccuracy>("ppl", "perplexity of the target tokens", s => f(s.Perplexity)),
                new TableColumn<SchemeAccuracy>("fp16_ppl", "perplexity with the FP16 cache", _ => f(r.ReferencePerplexity)),
            ], r.Schemes);
    }

    public static TextTable Layers(AccuracyResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var rows = r.Schemes.SelectMany(s => Enumerable.Range(0, s.AttnRelErrorPerLayer.Count).Select(l => (s, l))).ToList();
        return TextTable.Build(
            [
                new TableColumn<(SchemeAccuracy S, int L)>("source", "", _ => r.Label, AlignRight: false),
                new TableColumn<(SchemeAccuracy S, int L)>("scheme", "", x => x.S.Scheme, AlignRight: false),
                new TableColumn<(SchemeAccuracy S, int L)>("layer", "", x => Formats.Int(x.L)),
                new TableColumn<(SchemeAccuracy S, int L)>("k_rel_err", "", x => Formats.Exact(x.S.KRelErrorPerLayer[x.L])),
                new TableColumn<(SchemeAccuracy S, int L)>("v_rel_err", "", x => Formats.Exact(x.S.VRelErrorPerLayer[x.L])),
                new TableColumn<(SchemeAccuracy S, int L)>("attn_rel_err", "", x => Formats.Exact(x.S.AttnRelErrorPerLayer[x.L])),
            ], rows);
    }

    /// <summary>Rows `xqsim pareto --quality` accepts: the FP16 cache and every scheme, tagged MeasuredSynthetic or MeasuredCheckpoint.</summary>
    public static string QualityCsv(AccuracyResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        string source = r.Origin == AccuracyOrigin.Synthetic ? "MeasuredSynthetic" : "MeasuredCheckpoint";
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        // The model and dataset names come from folder and file names: the comment stays one line, and every cell is
        // quoted and neutralized by the CSV writer (a file named "=x,y.txt" is one cell, never a formula).
        text.Write("# Measured by xqsim accuracy (" + r.Label + "): " + TextSafety.OneLine(r.TokenSource) + ", " + Formats.Int(r.Steps) + " tokens, teacher-forced through the decode engine.\n");
        var rows = new List<IReadOnlyList<string>> { new[] { "1", r.ModelId, r.Dataset, "fp16", "16", Formats.Exact(r.ReferencePerplexity), source, "fp16" } };
        rows.AddRange(r.Schemes.Select(s => (IReadOnlyList<string>)[ "1", r.ModelId, r.Dataset, s.Family, s.Bits.ToString(CultureInfo.InvariantCulture), Formats.Exact(s.Perplexity), source, s.Spec ]));
        CsvOutput.Write(text, ["table", "model", "dataset", "method", "bits", "perplexity", "source", "scheme"], rows);
        return text.ToString();
    }

    public static string Markdown(AccuracyResult r, string command, string modelNote)
    {
        ArgumentNullException.ThrowIfNull(r);
        var f = r.Findings;
        var sb = new StringBuilder();
        sb.Append("# Measured quality (").Append(r.Label).Append("): ").Append(r.ModelId).Append("\n\n");
        sb.Append("Command: `").Append(command).Append("`\n\n");
        sb.Append("Every number here is **").Append(r.Label).Append("**: ").Append(modelNote).Append(' ');
        sb.Append(FormattableString.Invariant($"Tokens: {r.TokenSource}, {r.Steps} steps, teacher-forced through the decode engine; each scheme runs beside the FP16 cache over the same tokens and is compared with it.\n\n"));
        sb.Append(Table(r, exact: false).ToMarkdown()).Append('\n');
        sb.Append("## What the paper observed, checked here (").Append(r.Label).Append(")\n\n");
        sb.Append(FormattableString.Invariant($"- Cross-layer deltas vs X (paper: deltas have a much smaller range): range(X_i - X_(i-1)) / range(X_i) per token and group of 128 channels, layers 1..L-1: mean {Formats.Sig(f.DeltaToXRange)}, median {Formats.Sig(f.DeltaToXRangeMedian)}. "));
        sb.Append(f.DeltaToXRange < 1 ? "Deltas are narrower than X here, as in the paper.\n" : "Deltas are NOT narrower than X here, unlike the paper.\n");
        sb.Append(FormattableString.Invariant($"- Outlier channels in X: largest channel max |X| / median channel max |X| = {Formats.Sig(f.XOutlierRatio)} (mean over layers).\n"));
        sb.Append(FormattableString.Invariant($"- Key latent X Uk (paper: outliers concentrate in channel 0, the top singular direction of Wk): channel 0 is the largest channel in {f.LayersFirstIsLargest} of {f.Latent.Count} layers; its max |Z| is {Formats.Sig(f.MeanFirstToMedian)}x the median channel's (mean over layers). Ranks of channel 0 per layer: {string.Join(", ", f.Latent.Select(l => l.FirstRank))}. "));
        sb.Append(f.LayersFirstIsLargest * 2 > f.Latent.Count ? "Concentrated, as in the paper.\n" : "Not concentrated here, unlike the paper (see docs/accuracy.md for why a random Wk does not align its top singular direction with X's outlier channels).\n");
        sb.Append("- XQuant vs KIVI* (paper, Llama-2-7B WikiText-2 perplexity: at equal bits KIVI* is better, 4-bit 5.49 vs XQuant 5.54, 3-bit 5.58 vs 6.65; at about equal memory XQuant is better, XQuant-4bit 5.54 vs KIVI*-2bit 6.42):\n");
        foreach (string line in f.EqualBits)
        {
            sb.Append("  - ").Append(line).Append('\n');
        }
        if (f.EqualBits.Count == 0)
        {
            sb.Append("  - (no bit width with both kivi and xquant measured)\n");
        }
        sb.Append("\nPer-layer errors: accuracy-layers.csv. Quality for `xqsim pareto --quality`: quality.csv.\n");
        return sb.ToString();
    }

    /// <summary>The four report files, and the synthetic model's config.json (so `xqsim pareto --model` can cost it) when there is one.</summary>
    public static IReadOnlyList<OutputFile> Files(AccuracyResult r, string command, string modelNote, EngineConfig? syntheticConfig = null)
    {
        ArgumentNullException.ThrowIfNull(r);
        var files = new List<OutputFile>();
        if (syntheticConfig is not null)
        {
            files.Add(OutputFile.Text(r.ModelId + ".json", SyntheticConfigJson(syntheticConfig)));
        }
        files.Add(OutputFile.Csv("accuracy.csv", Table(r, exact: true)));
        files.Add(OutputFile.Csv("accuracy-layers.csv", Layers(r)));
        files.Add(OutputFile.Text("accuracy.md", Markdown(r, command, modelNote)));
        files.Add(OutputFile.Text("quality.csv", QualityCsv(r)));
        return files;
    }

    /// <summary>A Hugging Face-style config.json of the synthetic model.</summary>
    private static string SyntheticConfigJson(EngineConfig c) => FormattableString.Invariant(
        $"{{\n  \"model_type\": \"llama\",\n  \"hidden_size\": {c.HiddenSize},\n  \"num_hidden_layers\": {c.Layers},\n  \"num_attention_heads\": {c.Heads},\n  \"num_key_value_heads\": {c.KvHeads},\n  \"head_dim\": {c.HeadDim},\n  \"intermediate_size\": {c.IntermediateSize},\n  \"vocab_size\": {c.VocabSize},\n  \"max_position_embeddings\": {c.MaxContext},\n  \"torch_dtype\": \"bfloat16\"\n}}\n");
}
