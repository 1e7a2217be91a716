using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Studies.Checkpoints;

/// <summary>
/// Encoder for a Hugging Face tokenizer.json with a BPE model: the sentencepiece style of Llama-2 and TinyLlama
/// (normalizer Prepend("▁") + Replace(" ", "▁") or pre-tokenizer Metaspace, byte_fallback to &lt;0xNN&gt; tokens) and
/// the byte-level style of GPT-2, SmolLM2 and Llama-3 (pre-tokenizers ByteLevel, Split with a regex, Digits).
/// Added tokens are matched in the text before anything else; the BOS/EOS a TemplateProcessing post-processor adds
/// around a single sequence is added when asked. Encoding only. Anything else is rejected naming the JSON field.
/// </summary>
public sealed class TokenizerJson
{
    private const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";
    // Each regex call may take 2 s and all of them together (normalizers, pre-tokenizers, added-token splits) 20 s per
    // tokenizer: a per-call limit alone let a hostile pattern spend minutes over many segments.
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The total time one tokenizer may spend normalizing and pre-tokenizing, over every Encode call.</summary>
    public static readonly TimeSpan DefaultWorkBudget = TimeSpan.FromSeconds(20);
    private static readonly string[] ByteToUnicode = BuildByteMap();

    private readonly Dictionary<string, int> vocab;
    private readonly Dictionary<(string, string), int> ranks;
    private readonly bool byteFallback;
    private readonly bool ignoreMerges;
    private readonly int unkId;
    private readonly List<Func<string, bool, IEnumerable<string>>> normalizers = [];
    private readonly List<Func<string, bool, IEnumerable<string>>> preTokenizers = [];
    private readonly Regex? addedSplit;
    private readonly Dictionary<string, int> added;
    private readonly List<int> prefix = [];
    private readonly List<int> suffix = [];
    private readonly Dictionary<string, int[]> cache = new(StringComparer.Ordinal);
    private readonly TimeSpan workBudget;
    private long workTicks;
    private double staticGrowth = 1;

    private TokenizerJson(string path, JsonElement root, TimeSpan workBudget)
    {
        Path = path;
        this.workBudget = workBudget;
        var model = Get(root, "model", JsonValueKind.Object, "model");
        string type = model.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "BPE";
        if (type != "BPE")
        {
            throw Bad("model.type", $"'{JsonFields.Truncate(type)}': only BPE tokenizers are supported");
        }
        vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in Get(model, "vocab", JsonValueKind.Object, "model.vocab").EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int id) || id < 0)
            {
                throw Bad("model.vocab", $"token '{JsonFields.Truncate(p.Name)}' has no non-negative integer id");
            }
            vocab[p.Name] = id;
        }
        ranks = new Dictionary<(string, string), int>();
        int rank = 0;
        foreach (var m in Get(model, "merges", JsonValueKind.Array, "model.merges").EnumerateArray())
        {
            (string, string) pair;
            if (m.ValueKind == JsonValueKind.String && m.GetString()!.Split(' ') is [string a, string b])
            {
                pair = (a, b);
            }
            else if (m.ValueKind == JsonValueKind.Array && m.GetArrayLength() == 2 && m[0].ValueKind == JsonValueKind.String && m[1].ValueKind == JsonValueKind.String)
            {
                pair = (m[0].GetString()!, m[1].GetString()!);
            }
            else
            {
                throw Bad("model.merges", $"entry {rank} is not \"a b\" or [\"a\", \"b\"]");
            }
            ranks.TryAdd(pair, rank++);
        }
        byteFallback = Bool(model, "byte_fallback");
        ignoreMerges = Bool(model, "ignore_merges");
        unkId = model.TryGetProperty("unk_token", out var u) && u.ValueKind == JsonValueKind.String && vocab.TryGetValue(u.GetString()!, out int uid) ? uid : -1;

        added = new Dictionary<string, int>(StringComparer.Ordinal);
        if (root.TryGetProperty("added_tokens", out var at) && at.ValueKind == JsonValueKind.Array)
        {
            foreach (var a in at.EnumerateArray())
            {
                if (a.ValueKind != JsonValueKind.Object || !a.TryGetProperty("content", out var c) || c.ValueKind != JsonValueKind.String
                    || !a.TryGetProperty("id", out var i) || i.ValueKind != JsonValueKind.Number || !i.TryGetInt32(out int id))
                {
                    throw Bad("added_tokens", "each entry needs a string content and an integer id");
                }
                if (id < 0)
                {
                    throw Bad("added_tokens", $"token '{JsonFields.Truncate(c.GetString()!)}' has id {id}; ids must be non-negative");
                }
                if (c.GetString()!.Length > 0)
                {
                    added[c.GetString()!] = id;
                }
            }
        }
        if (added.Count > 0)
        {
            string alternation = string.Join('|', added.Keys.OrderByDescending(k => k.Length).ThenBy(k => k, StringComparer.Ordinal).Select(Regex.Escape));
            addedSplit = new Regex("(" + alternation + ")", RegexOptions.CultureInvariant, RegexTimeout);
        }

        if (root.TryGetProperty("normalizer", out var n) && n.ValueKind != JsonValueKind.Null)
        {
            AddNormalizer(n, "normalizer");
            if (staticGrowth > MaxGrowth)
            {
                throw Bad("normalizer", $"its Replace steps can grow text {staticGrowth.ToString("0.#", CultureInfo.InvariantCulture)}x (content longer than pattern, chained); at most {MaxGrowth}x is accepted");
            }
        }
        if (root.TryGetProperty("pre_tokenizer", out var pt) && pt.ValueKind != JsonValueKind.Null)
        {
            AddPreTokenizer(pt, "pre_tokenizer");
        }
        if (root.TryGetProperty("post_processor", out var pp) && pp.ValueKind != JsonValueKind.Null)
        {
            AddPostProcessor(pp, "post_processor");
        }
        foreach (int id in vocab.Values.Concat(added.Values).Concat(prefix).Concat(suffix))
        {
            MaxId = Math.Max(MaxId, id);
        }
    }

    /// <summary>The file this was read from.</summary>
    public string Path { get; }

    /// <summary>The largest id any token can have (vocabulary and added tokens).</summary>
    public int MaxId { get; }

    /// <summary>Ids the post-processor puts before a single sequence (Llama: BOS).</summary>
    public IReadOnlyList<int> Prefix => prefix;

    /// <summary>64 MiB: real tokenizer.json files of 256k-token vocabularies are 10-35 MiB.</summary>
    public const long TokenizerMaxBytes = 64L << 20;

    /// <summary>Reads and checks a tokenizer.json; any problem is an <see cref="InputException"/> naming the file and field.</summary>
    public static TokenizerJson Load(string path) => Load(path, DefaultWorkBudget);

    /// <summary>As <see cref="Load(string)"/>, with the total normalize/pre-tokenize time every Encode call together may take.</summary>
    public static TokenizerJson Load(string path, TimeSpan workBudget)
    {
        if (!File.Exists(path))
        {
            throw new InputException(path, "", "tokenizer.json not found (text input needs the checkpoint's tokenizer.json; or tokenize elsewhere and use --token-file)");
        }
        try
        {
            byte[] bytes = InputFiles.ReadSmall(path, TokenizerMaxBytes);
            if (Utf8Text.FirstInvalidByte(bytes) is int bad)
            {
                throw new InputException(path, "", $"is not valid UTF-8 (byte 0x{bytes[bad]:X2} at offset {bad})");
            }
            using var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InputException(path, "", "not a tokenizer.json (the top level must be an object)");
            }
            return new TokenizerJson(path, doc.RootElement, workBudget);
        }
        catch (JsonException ex)
        {
            throw new InputException(path, "", $"not valid JSON ({ex.Message.Split('\n')[0]})");
        }
        catch (ArgumentException ex)
        {
            throw new InputException(path, "", $"invalid pattern ({ex.Message.Split('\n')[0]})");
        }
        catch (InvalidOperationException ex)
        {
            // System.Text.Json checks a string's escapes only when it is read: "\ud800" alone (half a UTF-16 pair) is
            // valid JSON text but not a string. Reads check the value's kind first, so this is the usual cause; a
            // value of an unexpected kind somewhere unchecked is bad input too, never an internal error.
            throw new InputException(path, "", $"holds a value that cannot be read as text or as the number expected, such as a lone surrogate escape (\\ud800) ({ex.Message.Split('\n')[0]})");
        }
    }

    /// <summary>Token ids of <paramref name="text"/>, with the post-processor's special tokens when <paramref name="addSpecial"/>.</summary>
    public IReadOnlyList<int> Encode(string text, bool addSpecial)
    {
        try
        {
            return EncodeCore(text, addSpecial);
        }
        catch (RegexMatchTimeoutException e)
        {
            throw Bad("pattern", $"'{JsonFields.Truncate(e.Pattern)}' took longer than {e.MatchTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s on one piece of text; refusing it");
        }
    }

    private List<int> EncodeCore(string text, bool addSpecial)
    {
        var ids = new List<int>();
        if (addSpecial)
        {
            ids.AddRange(prefix);
        }
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        IEnumerable<(string Text, bool Added)> segments = addedSplit is null
            ? [(text, false)]
            : addedSplit.Split(text).Select((s, i) => (s, i % 2 == 1)).ToList();
        Charge(ref started, "added_tokens");
        bool first = true;
        foreach (var (segment, isAdded) in segments)
        {
            if (segment.Length == 0)
            {
                continue;
            }
            if (isAdded)
            {
                ids.Add(added[segment]);
                first = false;
                continue;
            }
            IEnumerable<string> pieces = [segment];
            long limit = ((long)MaxGrowth * segment.Length) + 64;
            foreach (var (step, i) in normalizers.Concat(preTokenizers).Select((s, i) => (s, i)))
            {
                bool f = first;
                var next = pieces.SelectMany(p => step(p, f)).ToList();
                string where = i < normalizers.Count ? "normalizer" : "pre_tokenizer";
                // Each Replace is bounded by itself; this bounds the chain (8x per step compounded to GBs).
                long length = next.Sum(p => (long)p.Length);
                if (length > limit)
                {
                    throw Bad(where, $"grows the text from {segment.Length} to {length} characters, more than {MaxGrowth}x in total; refusing an amplifying tokenizer");
                }
                pieces = next;
                Charge(ref started, where);
            }
            first = false;
            foreach (string word in pieces)
            {
                if (word.Length > 0)
                {
                    ids.AddRange(EncodeWord(word));
                }
            }
        }
        if (addSpecial)
        {
            ids.AddRange(suffix);
        }
        return ids;
    }

    /// <summary>Byte-pair merges over one pre-tokenized word: always the lowest-ranked adjacent pair, leftmost first.</summary>
    private int[] EncodeWord(string word)
    {
        if (cache.TryGetValue(word, out var hit))
        {
            return hit;
        }
        if (ignoreMerges && vocab.TryGetValue(word, out int whole))
        {
            return cache[word] = [whole];
        }
        var symbols = new List<string>();
        for (int i = 0; i < word.Length; i += char.IsSurrogatePair(word, i) ? 2 : 1)
        {
            symbols.Add(word.Substring(i, char.IsSurrogatePair(word, i) ? 2 : 1));
        }
        // Linked list of symbols with a min-heap of candidate pairs (rank, left position); stale entries are skipped.
        int count = symbols.Count;
        var next = Enumerable.Range(1, count).ToArray();
        var prev = Enumerable.Range(-1, count).ToArray();
        var alive = Enumerable.Repeat(true, count).ToArray();
        var heap = new PriorityQueue<(int Left, int Right, string A, string B), (int Rank, int Left)>();
        void Push(int left)
        {
            int right = next[left];
            if (left >= 0 && right < count && ranks.TryGetValue((symbols[left], symbols[right]), out int r))
            {
                heap.Enqueue((left, right, symbols[left], symbols[right]), (r, left));
            }
        }
        for (int i = 0; i + 1 < count; i++)
        {
            Push(i);
        }
        while (heap.TryDequeue(out var c, out _))
        {
            int right = c.Right;
            if (!alive[c.Left] || !alive[right] || next[c.Left] != right || !ReferenceEquals(symbols[c.Left], c.A) || !ReferenceEquals(symbols[right], c.B))
            {
                continue;
            }
            symbols[c.Left] = c.A + c.B;
            alive[right] = false;
            next[c.Left] = next[right];
            if (next[right] < count)
            {
                prev[next[right]] = c.Left;
            }
            if (prev[c.Left] >= 0)
            {
                Push(prev[c.Left]);
            }
            Push(c.Left);
        }
        var ids = new List<int>();
        bool lastUnk = false;
        for (int i = 0; i < count; i = next[i])
        {
            if (vocab.TryGetValue(symbols[i], out int id))
            {
                ids.Add(id);
                lastUnk = false;
                continue;
            }
            if (byteFallback && Encoding.UTF8.GetBytes(symbols[i]).Select(b => vocab.GetValueOrDefault(string.Create(CultureInfo.InvariantCulture, $"<0x{b:X2}>"), -1)).ToList() is var bytes && bytes.All(b => b >= 0))
            {
                ids.AddRange(bytes);
                lastUnk = false;
                continue;
            }
            if (unkId < 0)
            {
                throw new InputException(Path, "model.unk_token", $"'{JsonFields.Truncate(symbols[i])}' is not in the vocabulary and the tokenizer has no unk token (or byte fallback)");
            }
            if (!lastUnk)
            {
                ids.Add(unkId);
            }
            lastUnk = true;
        }
        int[] result = [.. ids];
        if (cache.Count < 1 << 16)
        {
            cache[word] = result;
        }
        return result;
    }

    private void AddNormalizer(JsonElement n, string field)
    {
        string type = TypeOf(n, field);
        switch (type)
        {
            case "Sequence":
                foreach (var (x, i) in Get(n, "normalizers", JsonValueKind.Array, field + ".normalizers").EnumerateArray().Select((x, i) => (x, i)))
                {
                    AddNormalizer(x, $"{field}.normalizers[{i}]");
                }
                break;
            case "Prepend":
                string pre = Str(n, "prepend", field);
                normalizers.Add((s, _) => [pre + s]);
                break;
            case "Replace":
                var pattern = Get(n, "pattern", JsonValueKind.Object, field + ".pattern");
                string content = Str(n, "content", field);
                if (pattern.TryGetProperty("String", out var ps) && ps.ValueKind == JsonValueKind.String)
                {
                    string from = ps.GetString()!;
                    if (from.Length == 0)
                    {
                        throw Bad(field + ".pattern.String", "is empty; a Replace needs something to replace");
                    }
                    string where = field;
                    staticGrowth *= Math.Max(1.0, (double)content.Length / from.Length);
                    normalizers.Add((s, _) => [Bounded(s, s.Replace(from, content, StringComparison.Ordinal), where)]);
                }
                else if (pattern.TryGetProperty("Regex", out var pr) && pr.ValueKind == JsonValueKind.String)
                {
                    if (pr.GetString()!.Length == 0)
                    {
                        throw Bad(field + ".pattern.Regex", "is empty; a Replace needs something to replace");
                    }
                    var re = new Regex(pr.GetString()!, RegexOptions.CultureInvariant, RegexTimeout);
                    string where = field;
                    normalizers.Add((s, _) => [Bounded(s, re.Replace(s, content), where)]);
                }
                else
                {
                    throw Bad(field + ".pattern", "needs a String or Regex");
                }
                break;
            case "NFC":
                normalizers.Add((s, _) => [s.Normalize(NormalizationForm.FormC)]);
                break;
            case "NFKC":
                normalizers.Add((s, _) => [s.Normalize(NormalizationForm.FormKC)]);
                break;
            default:
                throw Bad(field + ".type", $"normalizer '{JsonFields.Truncate(type)}' is not supported (Sequence, Prepend, Replace, NFC, NFKC)");
        }
    }

    private void AddPreTokenizer(JsonElement p, string field)
    {
        string type = TypeOf(p, field);
        switch (type)
        {
            case "Sequence":
                foreach (var (x, i) in Get(p, "pretokenizers", JsonValueKind.Array, field + ".pretokenizers").EnumerateArray().Select((x, i) => (x, i)))
                {
                    AddPreTokenizer(x, $"{field}.pretokenizers[{i}]");
                }
                break;
            case "Metaspace":
                {
                    string rep = p.TryGetProperty("replacement", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "▁";
                    if (rep.Length == 0 || char.ConvertToUtf32(rep, 0) is int cp && rep.Length != char.ConvertFromUtf32(cp).Length)
                    {
                        // An empty replacement made the split loop forever; Hugging Face requires one character.
                        throw Bad(field + ".replacement", "must be exactly one character");
                    }
                    string scheme = p.TryGetProperty("prepend_scheme", out var ps) && ps.ValueKind == JsonValueKind.String ? ps.GetString()!
                        : p.TryGetProperty("add_prefix_space", out var ap) && ap.ValueKind == JsonValueKind.False ? "never" : "always";
                    if (scheme is not ("always" or "first" or "never"))
                    {
                        throw Bad(field + ".prepend_scheme", $"'{JsonFields.Truncate(scheme)}' is not always, first or never");
                    }
                    bool split = !p.TryGetProperty("split", out var sp) || sp.ValueKind != JsonValueKind.False;
                    preTokenizers.Add((s, first) =>
                    {
                        s = s.Replace(" ", rep, StringComparison.Ordinal);
                        if ((scheme == "always" || (scheme == "first" && first)) && !s.StartsWith(rep, StringComparison.Ordinal))
                        {
                            s = rep + s;
                        }
                        return split ? SplitBefore(s, rep) : [s];
                    });
                    break;
                }
            case "ByteLevel":
                {
                    bool prefixSpace = Bool(p, "add_prefix_space");
                    bool useRegex = !p.TryGetProperty("use_regex", out var ur) || ur.ValueKind != JsonValueKind.False;
                    var re = new Regex(Gpt2Pattern, RegexOptions.CultureInvariant, RegexTimeout);
                    preTokenizers.Add((s, _) =>
                    {
                        if (prefixSpace && !s.StartsWith(' '))
                        {
                            s = " " + s;
                        }
                        var parts = useRegex ? re.Matches(s).Select(m => m.Value) : [s];
                        return parts.Select(ToByteLevel).ToList();
                    });
                    break;
                }
            case "Split":
                {
                    var pattern = Get(p, "pattern", JsonValueKind.Object, field + ".pattern");
                    Regex re = pattern.TryGetProperty("Regex", out var pr) && pr.ValueKind == JsonValueKind.String
                        ? new Regex(pr.GetString()!, RegexOptions.CultureInvariant, RegexTimeout)
                        : pattern.TryGetProperty("String", out var psx) && psx.ValueKind == JsonValueKind.String
                            ? new Regex(Regex.Escape(psx.GetString()!), RegexOptions.CultureInvariant, RegexTimeout)
                            : throw Bad(field + ".pattern", "needs a String or Regex");
                    string behavior = p.TryGetProperty("behavior", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString()! : "";
                    if (behavior is not ("Isolated" or "Removed") || Bool(p, "invert"))
                    {
                        throw Bad(field + ".behavior", $"Split with behavior '{JsonFields.Truncate(behavior)}'{(Bool(p, "invert") ? " and invert" : "")} is not supported (Isolated or Removed, no invert)");
                    }
                    bool keep = behavior == "Isolated";
                    preTokenizers.Add((s, _) => SplitMatches(s, re, keep));
                    break;
                }
            case "Digits":
                {
                    var re = new Regex(Bool(p, "individual_digits") ? @"\p{Nd}" : @"\p{Nd}+", RegexOptions.CultureInvariant, RegexTimeout);
                    preTokenizers.Add((s, _) => SplitMatches(s, re, keep: true));
                    break;
                }
            default:
                throw Bad(field + ".type", $"pre-tokenizer '{JsonFields.Truncate(type)}' is not supported (Sequence, Metaspace, ByteLevel, Split, Digits)");
        }
    }

    private void AddPostProcessor(JsonElement p, string field)
    {
        string type = TypeOf(p, field);
        switch (type)
        {
            case "Sequence":
                foreach (var (x, i) in Get(p, "processors", JsonValueKind.Array, field + ".processors").EnumerateArray().Select((x, i) => (x, i)))
                {
                    AddPostProcessor(x, $"{field}.processors[{i}]");
                }
                break;
            case "ByteLevel":
                break;
            case "TemplateProcessing":
                {
                    var specials = p.TryGetProperty("special_tokens", out var st) && st.ValueKind == JsonValueKind.Object ? st : default;
                    bool seenSequence = false;
                    foreach (var item in Get(p, "single", JsonValueKind.Array, field + ".single").EnumerateArray())
                    {
                        if (item.TryGetProperty("Sequence", out _))
                        {
                            seenSequence = true;
                            continue;
                        }
                        if (!item.TryGetProperty("SpecialToken", out var sp) || !sp.TryGetProperty("id", out var nameEl) || nameEl.ValueKind != JsonValueKind.String)
                        {
                            throw Bad(field + ".single", "entries must be Sequence or SpecialToken");
                        }
                        string name = nameEl.GetString()!;
                        List<int> ids;
                        if (specials.ValueKind == JsonValueKind.Object && specials.TryGetProperty(name, out var def) && def.TryGetProperty("ids", out var idsEl) && idsEl.ValueKind == JsonValueKind.Array)
                        {
                            ids = idsEl.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out int v) ? v : -1).ToList();
                        }
                        else
                        {
                            ids = added.TryGetValue(name, out int v) ? [v] : vocab.TryGetValue(name, out int w) ? [w] : [-1];
                        }
                        if (ids.Any(i => i < 0))
                        {
                            throw Bad(field + ".special_tokens", $"special token '{JsonFields.Truncate(name)}' has no id");
                        }
                        (seenSequence ? suffix : prefix).AddRange(ids);
                    }
                    break;
                }
            default:
                throw Bad(field + ".type", $"post-processor '{JsonFields.Truncate(type)}' is not supported (TemplateProcessing, ByteLevel, Sequence)");
        }
    }

    private static List<string> SplitBefore(string s, string marker)
    {
        var parts = new List<string>();
        int start = 0;
        for (int i = s.IndexOf(marker, 1, StringComparison.Ordinal); i > 0; i = s.IndexOf(marker, i + marker.Length, StringComparison.Ordinal))
        {
            parts.Add(s[start..i]);
            start = i;
        }
        parts.Add(s[start..]);
        return parts;
    }

    private static List<string> SplitMatches(string s, Regex re, bool keep)
    {
        var parts = new List<string>();
        int at = 0;
        foreach (Match m in re.Matches(s))
        {
            if (m.Index > at)
            {
                parts.Add(s[at..m.Index]);
            }
            if (keep && m.Length > 0)
            {
                parts.Add(m.Value);
            }
            at = m.Index + m.Length;
        }
        if (at < s.Length)
        {
            parts.Add(s[at..]);
        }
        return parts;
    }

    private static string ToByteLevel(string s)
    {
        var sb = new StringBuilder();
        foreach (byte b in Encoding.UTF8.GetBytes(s))
        {
            sb.Append(ByteToUnicode[b]);
        }
        return sb.ToString();
    }

    /// <summary>GPT-2's bytes_to_unicode: printable bytes map to themselves, the others to U+0100 onwards.</summary>
    private static string[] BuildByteMap()
    {
        var map = new string[256];
        int extra = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = ((char)(printable ? b : 256 + extra++)).ToString();
        }
        return map;
    }

    private InputException Bad(string field, string message) => new(Path, field, message);

    /// <summary>Adds the time since <paramref name="since"/> to this tokenizer's total and stops when the total passes the budget.</summary>
    private void Charge(ref long since, string field)
    {
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        workTicks += now - since;
        since = now;
        var spent = System.Diagnostics.Stopwatch.GetElapsedTime(0, workTicks);
        if (spent > workBudget)
        {
            throw Bad(field, $"normalizing and pre-tokenizing took {spent.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s in total, over the {workBudget.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s budget; a pattern that slow is refused");
        }
    }

    /// <summary>Normalizers may grow text (one character for another), but not without bound: chained Replaces reached GBs.</summary>
    public const int MaxGrowth = 8;

    private string Bounded(string before, string after, string field) =>
        after.Length <= (long)MaxGrowth * before.Length + 64
            ? after
            : throw Bad(field, $"grows the text from {before.Length} to {after.Length} characters, more than {MaxGrowth}x; refusing an amplifying normalizer");

    private JsonElement Get(JsonElement e, string name, JsonValueKind kind, string field) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == kind ? v
            : throw Bad(field, $"missing or not a JSON {kind.ToString().ToLowerInvariant()}");

    private string Str(JsonElement e, string name, string field) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Bad(field + "." + name, "missing or not a string");

    private string TypeOf(JsonElement e, string field) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : throw Bad(field + ".type", "missing or not a string");

    private static bool Bool(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
}
