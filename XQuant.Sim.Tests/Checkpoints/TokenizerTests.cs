using XQuant.Sim.Studies.Checkpoints;

namespace XQuant.Sim.Tests.Checkpoints;

[TestClass]
public sealed class TokenizerTests
{
    /// <summary>Llama-2 style (legacy sentencepiece): Prepend("▁") + Replace(" ", "▁"), no pre-tokenizer, byte fallback, BOS template.</summary>
    internal const string SentencePiece = """
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
                      "lo": 10, "low": 11, "▁low": 12, "er": 13, "▁lower": 14},
            "merges": ["l o", "lo w", "▁ low", "e r", "▁low er"]}
        }
        """;

    /// <summary>GPT-2 style: ByteLevel pre-tokenizer (regex split, bytes mapped to printable characters), no BOS.</summary>
    private const string ByteLevel = """
        {
          "added_tokens": [],
          "normalizer": null,
          "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
          "post_processor": {"type": "ByteLevel", "trim_offsets": false},
          "model": {"type": "BPE", "vocab": {"h": 0, "i": 1, "Ġ": 2, "Ġh": 3, "Ġhi": 4, "hi": 5, "!": 6, "Ċ": 7},
                    "merges": [["h", "i"], ["Ġ", "h"], ["Ġh", "i"], ["Ġ", "hi"]]}
        }
        """;

    private static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "xq-tok-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static TokenizerJson Load(string json)
    {
        string dir = TempDir();
        try
        {
            File.WriteAllText(Path.Combine(dir, "tokenizer.json"), json);
            return TokenizerJson.Load(Path.Combine(dir, "tokenizer.json"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void SentencePieceBpe_MergesByRank_ByteFallback_Bos()
    {
        var t = Load(SentencePiece);
        // "▁lower▁low!": l o -> lo (both), lo w -> low, ▁ low -> ▁low, e r -> er, ▁low er -> ▁lower; '!' -> <0x21>.
        CollectionAssert.AreEqual(new[] { 1, 14, 12, 3 }, t.Encode("lower low!", addSpecial: true).ToArray());
        CollectionAssert.AreEqual(new[] { 14, 12, 3 }, t.Encode("lower low!", addSpecial: false).ToArray());
        // 'é' has no token and no byte tokens (<0xC3> <0xA9>): unk. Added tokens split the text first; the
        // normalizer's Prepend runs per segment, as in Hugging Face tokenizers.
        CollectionAssert.AreEqual(new[] { 4, 7, 0 }, t.Encode("wé", addSpecial: false).ToArray());
        CollectionAssert.AreEqual(new[] { 12, 2, 12 }, t.Encode("low</s>low", addSpecial: false).ToArray());
        CollectionAssert.AreEqual(new[] { 1 }, t.Prefix.ToArray());
    }

    [TestMethod]
    public void ByteLevelBpe_LowestRankFirst_NoBos()
    {
        var t = Load(ByteLevel);
        // Regex pieces "hi", " hi", "!", "\n"; " hi" -> Ġ h i: (h,i) has rank 0 < (Ġ,h) 1, then (Ġ,hi) -> Ġhi.
        CollectionAssert.AreEqual(new[] { 5, 4, 6, 7 }, t.Encode("hi hi!\n", addSpecial: true).ToArray());
    }

    [TestMethod]
    public void Metaspace_PreTokenizer_PrependsAndSplits()
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(SentencePiece)!;
        node["normalizer"] = null;
        node["pre_tokenizer"] = System.Text.Json.Nodes.JsonNode.Parse("""{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": true}""");
        string json = node.ToJsonString();
        Assert.AreNotEqual(SentencePiece, json, "the test replaced the normalizer");
        var t = Load(json);
        CollectionAssert.AreEqual(new[] { 1, 14, 12, 3 }, t.Encode("lower low!", addSpecial: true).ToArray());
    }

    [TestMethod]
    public void BadOrMissingTokenizer_OneLine_ExitTwo()
    {
        string dir = TempDir();
        try
        {
            string text = Path.Combine(dir, "t.txt");
            File.WriteAllText(text, "lower low");
            (int Code, string Err) Run()
            {
                using var o = new StringWriter();
                using var e = new StringWriter();
                int code = XQuant.Sim.Cli.CliApp.Run(["accuracy", "--model", dir, "--text", text], o, e);
                return (code, e.ToString().Trim());
            }
            var missing = Run();
            Assert.AreEqual(2, missing.Code);
            StringAssert.Contains(missing.Err, "tokenizer.json not found");
            Assert.HasCount(1, missing.Err.Split('\n'));
            foreach (var (json, expect) in new[]
            {
                ("{\"model\": ", "not valid JSON"),
                ("{\"model\": {\"type\": \"WordPiece\", \"vocab\": {}}}", "model.type"),
                ("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}}}", "model.merges"),
                (SentencePiece.Replace("\"type\": \"Prepend\"", "\"type\": \"Lowercase\"", StringComparison.Ordinal), "normalizer.normalizers[0].type"),
            })
            {
                File.WriteAllText(Path.Combine(dir, "tokenizer.json"), json);
                var bad = Run();
                Assert.AreEqual(2, bad.Code, json);
                StringAssert.Contains(bad.Err, "tokenizer.json");
                StringAssert.Contains(bad.Err, expect);
                Assert.HasCount(1, bad.Err.Split('\n'), bad.Err);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void Cli_Text_OnACheckpointWithTokenizer_ScoresTheText()
    {
        var ck = new TinyCheckpoint(14);
        string dir = Path.Combine(Path.GetTempPath(), "xq-tokck-" + Guid.NewGuid().ToString("N"));
        string outDir = dir + "-out";
        try
        {
            ck.Write(dir, "F32", 1);
            File.WriteAllText(Path.Combine(dir, "tokenizer.json"), SentencePiece);
            string text = Path.Combine(dir, "wiki.txt");
            File.WriteAllText(text, string.Join(' ', Enumerable.Repeat("lower low! wo", 8)));
            using var o = new StringWriter();
            using var e = new StringWriter();
            int code = XQuant.Sim.Cli.CliApp.Run(["accuracy", "--model", dir, "--text", text, "--schemes", "kivi:4", "--tokens", "40", "-o", outDir], o, e);
            Assert.AreEqual(0, code, e.ToString());
            StringAssert.Contains(o.ToString(), "40 tokens");
            string csv = File.ReadAllText(Path.Combine(outDir, "quality.csv"));
            StringAssert.Contains(csv, "wiki");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
            if (Directory.Exists(outDir))
            {
                Directory.Delete(outDir, recursive: true);
            }
        }
    }
}
