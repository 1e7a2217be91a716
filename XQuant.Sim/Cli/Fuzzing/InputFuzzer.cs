using System.Text.RegularExpressions;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Cli.Fuzzing;

/// <summary>
/// Generates malformed and mutated inputs of every kind and feeds each to the real CLI in-process. The rule for
/// every input: exit 0 (still valid) or exit 2 with lines that name the file (and the broken field); never a
/// stack trace, an internal error, a hang, or an output file left after a rejected scenario.
/// </summary>
public static partial class InputFuzzer
{
    public static readonly IReadOnlyList<string> Kinds = ["profile", "model", "scenario", "scheme", "cli", "files", "tokenizer", "signals"];

    /// <summary>
    /// How long one input may take before it counts as a hang: 20 s, and 45 s for a tokenizer, whose total
    /// normalize/pre-tokenize work may legitimately use its 20 s budget before it is refused.
    /// </summary>
    public static TimeSpan Limit(string kind) => TimeSpan.FromSeconds(kind == "tokenizer" ? 45 : 20);

    private static readonly string[] SchemeSeeds =
        ["fp16", "kivi:2", "kivi:4,g=64,window=0", "xquant:4", "xquant-cl:2,base=3@4", "xquant-gqa:3,fp16first=1", "xquant-cl-gqa:2,acc=16", "xquant:3,remat=vabsorb"];

    private static readonly string[] CliWords =
    [
        "run", "memory", "ledger", "breakeven", "profiles", "models", "schemes", "bench", "pareto", "roofline", "compare",
        "--model", "-m", "--hardware", "-H", "--dataset", "wikitext2", "c4", "--quality", "roofline.png", "x.svg", "x.txt",
        "--schemes", "--scheme", "--context", "-c", "--batch", "-b", "--weights", "--phase", "--reserve", "--versus", "--csv", "--out",
        "--detail", "--seconds", "--part", "llama-2-7b", "h100-sxm", "fp16", "xquant:4", "0", "-1", "1e400", "NaN", "999999999999999999999",
        "", " ", "32k", "4M", "prefill", "decode", "int4", "fp4", "/", "..", "/dev/null", "\u00e9\u00e8", "ops", "step", "--help",
    ];

    public static IEnumerable<FuzzCase> Generate(string kind, int count, int seed, string workDir)
    {
        if (kind == "files")
        {
            foreach (var c in FileCases(count, seed, workDir))
            {
                yield return c;
            }
            yield break;
        }
        if (kind == "tokenizer")
        {
            foreach (var c in TokenizerCases(count, seed, workDir))
            {
                yield return c;
            }
            yield break;
        }
        var rng = new Random(seed);
        Directory.CreateDirectory(workDir);
        string profile = File.ReadAllText(Path.Combine(DataPaths.Find("hardware-profiles"), "h100-sxm.json"));
        string model = File.ReadAllText(Path.Combine(DataPaths.Find("models"), "llama-3.1-8b.json"));
        string models = DataPaths.Find("models");
        string scenario = $$"""
            {"name": "fuzz", "models": ["llama-2-7b"], "hardware": ["h100-sxm"], "schemes": ["fp16", "xquant:4"],
             "weights": ["bf16"], "phase": ["decode"], "batch": [1, 4], "context": [128, 4096], "runtime_reserve_fraction": 0.1,
             "outputs": ["csv", "markdown"], "description": "fuzz base"}
            """;
        for (int i = 0; i < count; i++)
        {
            string file = Path.Combine(workDir, $"{kind}-{i}.json");
            string outDir = Path.Combine(workDir, $"out-{i}");
            switch (kind)
            {
                case "profile":
                    {
                        var (bytes, mutation, field) = WriteMutated(file, profile, rng, i);
                        yield return new FuzzCase(kind, mutation, ["ledger", "--hardware", file, "--model", Path.Combine(models, "llama-2-7b.json"), "--scheme", "xquant:4", "-c", "64"], file, field, null);
                        break;
                    }
                case "model":
                    {
                        var (bytes, mutation, field) = WriteMutated(file, model, rng, i);
                        yield return new FuzzCase(kind, mutation, ["memory", "--model", file, "--schemes", "fp16,kivi:2,xquant-gqa:2", "-c", "64"], file, field, null);
                        break;
                    }
                case "scenario":
                    {
                        var (bytes, mutation, field) = WriteMutated(file, scenario, rng, i);
                        yield return new FuzzCase(kind, mutation, ["run", file, "--out", outDir], file, field, outDir);
                        break;
                    }
                case "scheme":
                    {
                        string spec = MutateText(SchemeSeeds[rng.Next(SchemeSeeds.Length)], rng);
                        yield return new FuzzCase(kind, "text", ["memory", "--model", Path.Combine(models, "llama-2-7b.json"), "--schemes", spec, "-c", "64"], null, null, null);
                        break;
                    }
                default:
                    {
                        int n = rng.Next(0, 8);
                        var args = new List<string>();
                        for (int j = 0; j < n; j++)
                        {
                            args.Add(CliWords[rng.Next(CliWords.Length)]);
                        }
                        if (args.Contains("bench", StringComparer.Ordinal) || args.Contains("--seconds", StringComparer.Ordinal))
                        {
                            args.Remove("bench"); // a benchmark may legitimately run for its full duration
                        }
                        if (args.Contains("--csv", StringComparer.Ordinal) || args.Contains("--out", StringComparer.Ordinal) || args.Contains("run", StringComparer.Ordinal))
                        {
                            args.AddRange(["--out", outDir]);
                        }
                        yield return new FuzzCase("cli", "words", args, null, null, null);
                        break;
                    }
            }
        }
    }

    private static (byte[], string, string?) WriteMutated(string file, string valid, Random rng, int i)
    {
        if (i % 97 == 5)
        {
            // A directory where a file is expected.
            Directory.CreateDirectory(file);
            return ([], "directory", null);
        }
        var (bytes, mutation, field) = JsonMutator.Mutate(valid, rng);
        File.WriteAllBytes(file, bytes);
        return (bytes, mutation, field);
    }

    private static string MutateText(string s, Random rng)
    {
        var chars = s.ToList();
        int edits = rng.Next(1, 4);
        const string alphabet = ":,=@-0123456789abcdefgikmnoqrstuvwx \t;%\u00e9";
        for (int e = 0; e < edits; e++)
        {
            int op = rng.Next(3);
            int at = chars.Count == 0 ? 0 : rng.Next(chars.Count);
            if (op == 0 && chars.Count > 0)
            {
                chars.RemoveAt(at);
            }
            else if (op == 1)
            {
                chars.Insert(at, alphabet[rng.Next(alphabet.Length)]);
            }
            else if (chars.Count > 0)
            {
                chars[at] = alphabet[rng.Next(alphabet.Length)];
            }
        }
        return new string(chars.ToArray());
    }

    /// <summary>Runs one case through the CLI with a time limit and judges the outcome.</summary>
    public static FuzzOutcome Check(FuzzCase c, TimeSpan limit)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var task = Task.Run(() => CliApp.Run(c.Args.ToArray(), stdout, stderr));
        if (!task.Wait(limit))
        {
            return new FuzzOutcome(c, -1, "", $"no answer within {limit.TotalSeconds} s");
        }
        return Judge(c, task.Result, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The rules for one finished input (kept apart from running it so a test can plant a rule-breaker).</summary>
    public static FuzzOutcome Judge(FuzzCase c, int code, string stdout, string err)
    {
        ArgumentNullException.ThrowIfNull(c);
        string? problem = null;
        if (code is not (0 or 2))
        {
            problem = $"exit code {code}";
        }
        else if (StackTrace().IsMatch(err) || StackTrace().IsMatch(stdout))
        {
            problem = "stack trace printed";
        }
        else if (code == 2 && err.Trim().Length == 0)
        {
            problem = "exit 2 without a message";
        }
        else if (code == 2 && c.File is not null && !err.Contains(c.File, StringComparison.Ordinal)
            && (c.OtherFile is null || !err.Contains(c.OtherFile, StringComparison.Ordinal)))
        {
            problem = "error does not name the file";
        }
        else if (code == 2 && c.Field is not null && !err.Contains(LastKey(c.Field), StringComparison.Ordinal))
        {
            problem = $"error does not name the field {c.Field}";
        }
        else if (code == 2 && c.OutDir is not null && Directory.Exists(c.OutDir))
        {
            problem = "output folder written for a rejected scenario";
        }
        return new FuzzOutcome(c, code, err, problem);
    }

    /// <summary>"dram.bandwidth_bytes_per_sec" names bandwidth_bytes_per_sec; "batch[0]" names batch.</summary>
    public static string LastKey(string path)
    {
        string last = path.Split('.')[^1];
        int bracket = last.IndexOf('[', StringComparison.Ordinal);
        return bracket >= 0 ? last[..bracket] : last;
    }

    [GeneratedRegex(@"^\s+at \S+\(", RegexOptions.Multiline)]
    private static partial Regex StackTrace();
}
