using CsvHelper;
using System.Globalization;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Schemes;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Studies.Quality;

/// <summary>
/// Reads the perplexities the paper prints (data/paper-perplexity.csv) and maps each row to the xqsim scheme
/// whose memory and time it belongs to.
/// </summary>
public static class PaperQuality
{
    private static readonly string[] Methods = ["fp16", "kivi", "kvquant", "xquant", "xquant-cl", "xquant-gqa"];

    private static readonly string[] RequiredColumns = ["table", "model", "dataset", "method", "bits", "perplexity"];

    public static string DefaultPath => Path.Combine(DataPaths.Find("data"), "paper-perplexity.csv");

    public static IReadOnlyList<QualityPoint> Load(string? path = null)
    {
        path ??= DefaultPath;
        if (!File.Exists(path))
        {
            throw new InputException(path, "", "file not found");
        }
        var errors = new List<InputError>();
        var points = new List<QualityPoint>();
        using var reader = CsvReader.FromFile(path, new CsvReaderOptions { CommentPrefix = '#' });
        int row = 1;
        // Optional columns (written by xqsim accuracy): source (Paper, MeasuredSynthetic, MeasuredCheckpoint) and scheme.
        foreach (string c in RequiredColumns.Where(c => !reader.TryGetFieldIndex(c, out _)))
        {
            errors.Add(new InputError(path, $"column {c}", $"is missing from the header (needs {string.Join(",", RequiredColumns)}; optional source, scheme)"));
        }
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }
        bool hasSource = reader.TryGetFieldIndex("source", out int sourceIndex);
        bool hasScheme = reader.TryGetFieldIndex("scheme", out int schemeIndex);
        while (reader.Read())
        {
            row++;
            string where = $"row {row}";
            string method = reader.GetString("method");
            bool ok = int.TryParse(reader.GetString("table"), NumberStyles.None, CultureInfo.InvariantCulture, out int table) & table is 1 or 4;
            ok &= int.TryParse(reader.GetString("bits"), NumberStyles.None, CultureInfo.InvariantCulture, out int bits);
            ok &= double.TryParse(reader.GetString("perplexity"), NumberStyles.Float, CultureInfo.InvariantCulture, out double ppl) && ppl > 0 && double.IsFinite(ppl);
            if (!ok || !Methods.Contains(method))
            {
                errors.Add(new InputError(path, where, $"needs table 1 or 4, a known method ({string.Join(", ", Methods)}), integer bits and a positive perplexity"));
                continue;
            }
            var source = QualitySource.Paper;
            if (hasSource && !Enum.TryParse(reader.GetString(sourceIndex), ignoreCase: false, out source))
            {
                errors.Add(new InputError(path, where, $"source must be {string.Join(", ", Enum.GetNames<QualitySource>())}"));
                continue;
            }
            string? scheme = hasScheme ? reader.GetString(schemeIndex) : null;
            if (scheme is not null && SchemeRegistry.TryParse(scheme, []) is null)
            {
                errors.Add(new InputError(path, where, $"scheme '{JsonFields.Truncate(scheme)}' is not a scheme xqsim knows (see 'xqsim schemes')"));
                continue;
            }
            points.Add(new QualityPoint(table, reader.GetString("model"), reader.GetString("dataset"), method, bits, ppl, source, string.IsNullOrEmpty(scheme) ? null : scheme));
        }
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }
        return points;
    }

    /// <summary>
    /// The scheme a paper row measured. On GQA models the paper's XQuant is the SVD-latent form and XQuant-CL its
    /// latent form; KVQuant is sized like KIVI* (the paper lists them at the same size). The paper's memory
    /// convention has no FP16 residual window, so window=0.
    /// </summary>
    public static string SchemeSpec(QualityPoint p, ModelConfig model)
    {
        if (p.Scheme is not null)
        {
            return p.Scheme;
        }
        string first = p.Table == 4 && p.Bits < 4 ? ",first=3@4" : "";
        return p.Method switch
        {
            "fp16" => "fp16",
            "kivi" or "kvquant" => $"kivi:{p.Bits},window=0{first}",
            "xquant" when model.IsGqa => $"xquant-gqa:{p.Bits},window=0{first}",
            "xquant" => $"xquant:{p.Bits}{first}",
            "xquant-cl" when model.IsGqa => $"xquant-cl-gqa:{p.Bits}",
            "xquant-cl" => $"xquant-cl:{p.Bits}",
            "xquant-gqa" => $"xquant-gqa:{p.Bits},window=0{first}",
            _ => throw new InvalidOperationException($"unknown method {p.Method}"),
        };
    }
}
