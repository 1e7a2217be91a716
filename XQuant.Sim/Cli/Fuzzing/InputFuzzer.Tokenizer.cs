using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace XQuant.Sim.Cli.Fuzzing;

/// <summary>
/// The "tokenizer" kind: hostile tokenizer.json files fed through `accuracy --model DIR --text FILE`, the one CLI
/// path that loads a tokenizer. DIR is a tiny checkpoint the fuzzer writes (<see cref="FuzzCheckpoint"/>), so a
/// tokenizer that loads is also used to encode real text and its ids are checked against a real vocabulary. The
/// mutations are the classes issue #17 found: Metaspace replacements that are not one character, Replace chains that
/// amplify, slow and invalid regexes, empty patterns, odd added-token ids, bytes that are not UTF-8, huge
/// vocabularies, truncated JSON, deep nesting, byte-order marks, wrong types, lone surrogates, bad merges and templates.
/// </summary>
public static partial class InputFuzzer
{
    /// <summary>The mutation classes, visited in turn from a seeded start; the details of each input are seeded too.</summary>
    public static readonly IReadOnlyList<string> TokenizerMutations =
    [
        "metaspace-replacement", "replace-chain", "regex-replace-chain", "regex-slow", "regex-invalid", "replace-empty",
        "added-token-id", "added-token-content", "non-utf8", "huge-vocab", "truncated", "deep-nesting", "bom", "wrong-type",
        "lone-surrogate", "merges", "template", "unk",
    ];

    /// <summary>Llama-2 style: Prepend + Replace normalizers, no pre-tokenizer, byte fallback, a BOS template.</summary>
    private const string SentencePieceSeed = """
        {
          "version": "1.0",
          "added_tokens": [
            {"id": 0, "content": "<unk>", "special": true},
            {"id": 1, "content": "<s>", "special": true},
            {"id": 2, "content": "</s>", "special": true}
          ],
          "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "▁"},
            {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}
          ]},
          "pre_tokenizer": null,
          "post_processor": {"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [],
            "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
          "model": {"type": "BPE", "unk_token": "<unk>", "byte_fallback": true, "fuse_unk": true,
            "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "<0x21>": 3, "▁": 4, "l": 5, "o": 6, "w": 7, "e": 8, "r": 9,
                      "lo": 10, "low": 11, "▁low": 12, "er": 13, "▁lower": 14, "a": 15, "aa": 16, "<0x0A>": 17},
            "merges": ["l o", "lo w", "▁ low", "e r", "▁low er", "a a"]}
        }
        """;

    /// <summary>GPT-2 style: ByteLevel pre-tokenizer (a regex split, bytes mapped to printable characters), no BOS.</summary>
    private const string ByteLevelSeed = """
        {
          "added_tokens": [],
          "normalizer": null,
          "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
          "post_processor": {"type": "ByteLevel", "trim_offsets": false},
          "model": {"type": "BPE", "vocab": {"h": 0, "i": 1, "Ġ": 2, "Ġh": 3, "Ġhi": 4, "hi": 5, "!": 6, "Ċ": 7, "l": 8, "o": 9, "w": 10, "a": 11, "Ġl": 12, "e": 13, "r": 14},
                    "merges": [["h", "i"], ["Ġ", "h"], ["Ġh", "i"], ["Ġ", "hi"], ["Ġ", "l"]]}
        }
        """;

    /// <summary>Patterns that backtrack exponentially on a run of "a" followed by something else (the text has one).</summary>
    private static readonly string[] SlowPatterns = ["(a+)+$", "(a|aa)+$", "(a|a?)+b", "(\\w+\\s?)+$", "(.*a){20}$", "^(a?){30}a{30}$"];

    private static readonly string[] InvalidPatterns = ["(", "[a-", "\\", "(?<x", "*a", "a{2,1}", "(?P<n>a)", "[z-a]", "\\k<none>", "(?<=a"];

    /// <summary>GPT-2's byte-to-character map: printable bytes stand for themselves, the other 68 for U+0100 on.</summary>
    private static IEnumerable<char> ByteLevelAlphabet()
    {
        int extra = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is (>= 33 and <= 126) or (>= 161 and <= 172) or (>= 174 and <= 255);
            yield return printable ? (char)b : (char)(256 + extra++);
        }
    }

    private static IEnumerable<FuzzCase> TokenizerCases(int count, int seed, string workDir)
    {
        var rng = new Random(seed);
        Directory.CreateDirectory(workDir);
        string checkpoint = Path.Combine(workDir, "checkpoint");
        FuzzCheckpoint.Write(checkpoint);
        string text = Path.Combine(workDir, "text.txt");
        // Words both seeds know, a run of "a" that the slow patterns backtrack on, non-ASCII, a tab and a newline.
        File.WriteAllText(text, string.Concat(Enumerable.Repeat("lower low! hi hi wo " + new string('a', 40) + "! é ü 中 \t end\n", 40)));
        // Classes in turn from a seeded start, so every class is tried once count reaches their number.
        int start = rng.Next(TokenizerMutations.Count);
        for (int i = 0; i < count; i++)
        {
            string mutation = TokenizerMutations[(start + i) % TokenizerMutations.Count];
            string dir = Path.Combine(workDir, $"tok-{i}");
            Directory.CreateDirectory(dir);
            // The weights are links to one shared copy, as in a Hugging Face cache snapshot.
            foreach (string name in new[] { "config.json", "model.safetensors" })
            {
                LinkOrCopy(Path.Combine(checkpoint, name), Path.Combine(dir, name));
            }
            string tokenizer = Path.Combine(dir, "tokenizer.json");
            File.WriteAllBytes(tokenizer, MutateTokenizer(mutation, rng));
            string outDir = Path.Combine(dir, "out");
            yield return new FuzzCase("tokenizer", mutation, ["accuracy", "--model", dir, "--text", text, "--schemes", "kivi:4", "--tokens", "16", "--out", outDir], tokenizer, null, outDir)
            {
                OtherFile = text,
            };
        }
    }

    private static void LinkOrCopy(string target, string link)
    {
        try
        {
            File.CreateSymbolicLink(link, target);
        }
        catch (IOException)
        {
            File.Copy(target, link);
        }
        catch (UnauthorizedAccessException)
        {
            // Windows without the right to make links.
            File.Copy(target, link);
        }
    }

    /// <summary>One hostile tokenizer.json of the given class, as bytes (some classes are not valid UTF-8 or JSON).</summary>
    public static byte[] MutateTokenizer(string mutation, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        bool sentencePiece = rng.Next(3) != 0;
        string seedJson = sentencePiece ? SentencePieceSeed : ByteLevelSeed;
        var node = JsonNode.Parse(seedJson)!.AsObject();
        if (!sentencePiece)
        {
            // Every byte has a token, as in GPT-2, so the seed encodes any text and a mutation is what gets refused.
            var vocab = node["model"]!["vocab"]!.AsObject();
            foreach (char b in ByteLevelAlphabet())
            {
                string key = b.ToString();
                if (!vocab.ContainsKey(key))
                {
                    vocab[key] = vocab.Count;
                }
            }
            seedJson = node.ToJsonString();
        }
        T Pick<T>(params T[] xs) => xs[rng.Next(xs.Length)];
        JsonObject Replace(string kind, string pattern, string content) =>
            new() { ["type"] = "Replace", ["pattern"] = new JsonObject { [kind] = pattern }, ["content"] = content };
        JsonObject Sequence(IEnumerable<JsonNode> normalizers) => new() { ["type"] = "Sequence", ["normalizers"] = new JsonArray([.. normalizers]) };
        switch (mutation)
        {
            case "metaspace-replacement":
                node["normalizer"] = null;
                node["pre_tokenizer"] = new JsonObject
                {
                    ["type"] = "Metaspace",
                    ["replacement"] = Pick("", "ab", "▁▁", "\u0000", " ", "l", "▁"),
                    ["prepend_scheme"] = Pick("first", "always", "never", "sometimes"),
                    ["split"] = rng.Next(2) == 0,
                };
                break;
            case "replace-chain":
                {
                    // String Replaces whose product of growth ratios ranges from 1x to 16^12x.
                    string pattern = Pick("l", "o", " ", "▁", "a", "lo");
                    int steps = rng.Next(1, 13);
                    node["normalizer"] = Sequence(Enumerable.Range(0, steps).Select(_ => (JsonNode)Replace("String", pattern, string.Concat(Enumerable.Repeat(pattern, rng.Next(0, 17))))));
                    break;
                }
            case "regex-replace-chain":
                {
                    // Regex Replaces cannot be bounded at load: zero-width and any-character matches compound at use.
                    string pattern = Pick(".", "\\w", "(?=.)", "$", "^", "a|l", "\\b");
                    int steps = rng.Next(1, 13);
                    node["normalizer"] = Sequence(Enumerable.Range(0, steps).Select(_ => (JsonNode)Replace("Regex", pattern, Pick("xx", "aa", "", "$0$0", "ll"))));
                    break;
                }
            case "regex-slow":
                if (rng.Next(2) == 0)
                {
                    node["normalizer"] = Replace("Regex", Pick(SlowPatterns), "b");
                }
                else
                {
                    node["pre_tokenizer"] = new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = Pick(SlowPatterns) }, ["behavior"] = "Isolated" };
                }
                break;
            case "regex-invalid":
                if (rng.Next(2) == 0)
                {
                    node["normalizer"] = Replace("Regex", Pick(InvalidPatterns), "x");
                }
                else
                {
                    node["pre_tokenizer"] = new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = Pick(InvalidPatterns) }, ["behavior"] = Pick("Isolated", "Removed", "MergedWithPrevious", "Contiguous", "bogus") };
                }
                break;
            case "replace-empty":
                switch (rng.Next(3))
                {
                    case 0:
                        node["normalizer"] = Replace("String", "", "x");
                        break;
                    case 1:
                        node["normalizer"] = Sequence([Replace("String", "l", "m"), Replace("Regex", "", "x")]);
                        break;
                    default:
                        node["pre_tokenizer"] = new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["String"] = "" }, ["behavior"] = "Isolated" };
                        break;
                }
                break;
            case "added-token-id":
                {
                    JsonNode? id = Pick<JsonNode?>(-1, int.MinValue, int.MaxValue, 1e20, FuzzCheckpoint.Vocab, 1_000_000, 0.5, "1", null, true, 2147483648L);
                    node["added_tokens"] = new JsonArray(new JsonObject { ["id"] = id, ["content"] = Pick("lo", "<x>", "a", "\n"), ["special"] = rng.Next(2) == 0 });
                    break;
                }
            case "added-token-content":
                {
                    // An empty added token would match everywhere; thousands of them make the split pattern huge.
                    var tokens = new JsonArray();
                    int n = Pick(1, 2, 5000);
                    for (int k = 0; k < n; k++)
                    {
                        tokens.Add(new JsonObject { ["id"] = k % 15, ["content"] = n > 2 ? "t" + k.ToString(CultureInfo.InvariantCulture) : Pick("", "\u0000", " ", "a", "(", "\\", "$0") });
                    }
                    node["added_tokens"] = tokens;
                    break;
                }
            case "non-utf8":
                {
                    byte[] bytes = Encoding.UTF8.GetBytes(node.ToJsonString());
                    byte[] bad = Pick<byte[]>([0xFF], [0xC3], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82]);
                    // Inside a string (after a quote), where a lenient reader would let it through to a key or a token.
                    var quotes = Enumerable.Range(0, bytes.Length).Where(k => bytes[k] == (byte)'"').ToList();
                    int at = quotes[rng.Next(quotes.Count)] + 1;
                    return [.. bytes[..at], .. bad, .. bytes[at..]];
                }
            case "huge-vocab":
                {
                    var vocab = node["model"]!["vocab"]!.AsObject();
                    int n = Pick(1000, 100_000, 200_000);
                    int baseId = vocab.Count;
                    for (int k = 0; k < n; k++)
                    {
                        vocab["v" + k.ToString(CultureInfo.InvariantCulture)] = baseId + k;
                    }
                    // Ids past the checkpoint's vocabulary for tokens the text uses, or far past any array.
                    string used = sentencePiece ? "▁lower" : "hi";
                    vocab[used] = Pick<JsonNode>(FuzzCheckpoint.Vocab, baseId + n - 1, int.MaxValue, -5, 1e12);
                    break;
                }
            case "truncated":
                {
                    byte[] bytes = Encoding.UTF8.GetBytes(node.ToJsonString());
                    return bytes[..rng.Next(0, bytes.Length - 1)];
                }
            case "deep-nesting":
                {
                    int depth = Pick(10, 63, 65, 200, 100_000);
                    if (rng.Next(2) == 0)
                    {
                        // Sequences inside sequences: valid JSON up to the reader's depth limit.
                        JsonNode inner = Replace("String", "l", "l");
                        for (int k = 0; k < Math.Min(depth, 200); k++)
                        {
                            inner = Sequence([inner]);
                        }
                        node["normalizer"] = inner;
                        break;
                    }
                    string json = node.ToJsonString();
                    return Encoding.UTF8.GetBytes(json[..^1] + ",\"deep\":" + new string('[', depth) + new string(']', depth) + "}");
                }
            case "bom":
                {
                    byte[] bytes = Encoding.UTF8.GetBytes(node.ToJsonString());
                    return rng.Next(3) switch
                    {
                        0 => [0xEF, 0xBB, 0xBF, .. bytes],
                        1 => [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, .. bytes],
                        _ => [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(node.ToJsonString())],
                    };
                }
            case "wrong-type":
                return JsonMutator.Mutate(seedJson, rng).Bytes;
            case "lone-surrogate":
                {
                    // A JSON escape that decodes to half a UTF-16 pair: valid JSON text, not a valid string.
                    string json = node.ToJsonString();
                    string where = Pick("\"<s>\"", "\"l\"", "\"lo\"", "\"h\"");
                    int at = json.IndexOf(where, StringComparison.Ordinal);
                    return Encoding.UTF8.GetBytes(at < 0 ? json : json[..(at + 1)] + Pick("\\ud800", "\\udfff", "\\ud83d") + json[(at + 1)..]);
                }
            case "merges":
                node["model"]!["merges"] = Pick<JsonNode>(new JsonArray("a"), new JsonArray("l o o"), new JsonArray(new JsonArray("l")), new JsonArray(1, 2), new JsonArray("x y", "y z", "l o"),
                    new JsonArray([.. Enumerable.Repeat<JsonNode>("l o", 5000).Select(m => m.DeepClone())]), new JsonArray(""), new JsonArray(" "), "l o", new JsonArray(new JsonArray("l", "o", "w")));
                break;
            case "template":
                node["post_processor"] = new JsonObject
                {
                    ["type"] = "TemplateProcessing",
                    ["single"] = new JsonArray(new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = Pick("<s>", "<missing>", ""), ["type_id"] = 0 } }, new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A" } }),
                    ["special_tokens"] = new JsonObject { ["<s>"] = new JsonObject { ["id"] = "<s>", ["ids"] = Pick<JsonNode>(new JsonArray(-1), new JsonArray(1e10), new JsonArray(), new JsonArray(FuzzCheckpoint.Vocab), new JsonArray("1"), JsonValue.Create(1)) } },
                };
                break;
            default:
                {
                    var model = node["model"]!.AsObject();
                    switch (rng.Next(4))
                    {
                        case 0:
                            model["unk_token"] = "<absent>";
                            model["byte_fallback"] = false;
                            break;
                        case 1:
                            model.Remove("unk_token");
                            model["vocab"] = new JsonObject();
                            model["merges"] = new JsonArray();
                            break;
                        case 2:
                            model["byte_fallback"] = true;
                            model["vocab"] = new JsonObject { ["l"] = 0 };
                            model["merges"] = new JsonArray();
                            break;
                        default:
                            model["type"] = Pick<JsonNode?>("Unigram", "WordPiece", 7, null);
                            break;
                    }
                    break;
                }
        }
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }
}
