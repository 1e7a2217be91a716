using System.Text.Json.Nodes;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Studies.Checkpoints;
using XQuant.Sim.Tests.Checkpoints;
using XQuant.Sim.Tests.Hardening;

namespace XQuant.Sim.Tests.Hardening2;

/// <summary>tokenizer.json: bad bytes and ids refused at load; total work (output length, time) bounded over a whole run.</summary>
[TestClass]
public sealed class TokenizerHardeningTests
{
    private static string Write(HardeningRun.Scratch s, JsonNode node)
    {
        string path = s.Path("tokenizer.json");
        File.WriteAllText(path, node.ToJsonString());
        return path;
    }

    [TestMethod]
    public void NonUtf8Bytes_AreOneLine()
    {
        using var s = new HardeningRun.Scratch();
        string path = s.Path("tokenizer.json");
        byte[] good = System.Text.Encoding.UTF8.GetBytes(TokenizerTests.SentencePiece);
        int at = Array.IndexOf(good, (byte)'l', Array.IndexOf(good, (byte)'v', 200));
        good[at] = 0xC0;
        File.WriteAllBytes(path, good);
        var e = Assert.ThrowsExactly<InputException>(() => TokenizerJson.Load(path));
        Assert.AreEqual($"{path}: is not valid UTF-8 (byte 0xC0 at offset {at})", e.Errors[0].ToString());
    }

    [TestMethod]
    public void NegativeAddedTokenId_IsRefused()
    {
        using var s = new HardeningRun.Scratch();
        var node = JsonNode.Parse(TokenizerTests.SentencePiece)!;
        node["added_tokens"]!.AsArray().Add(new JsonObject { ["id"] = -3, ["content"] = "<pad>" });
        string path = Write(s, node);
        var e = Assert.ThrowsExactly<InputException>(() => TokenizerJson.Load(path));
        Assert.AreEqual($"{path}: added_tokens: token '<pad>' has id -3; ids must be non-negative", e.Errors[0].ToString());
    }

    [TestMethod]
    public void ReplaceChainThatCanGrowMoreThan8x_IsRefusedAtLoad()
    {
        using var s = new HardeningRun.Scratch();
        var node = JsonNode.Parse(TokenizerTests.SentencePiece)!;
        // 3x then 3x: each step alone is allowed, the chain can grow text 9x.
        node["normalizer"] = JsonNode.Parse("""{"type": "Sequence", "normalizers": [ {"type": "Replace", "pattern": {"String": "l"}, "content": "lll"}, {"type": "Replace", "pattern": {"String": "o"}, "content": "ooo"}]}""");
        string path = Write(s, node);
        var e = Assert.ThrowsExactly<InputException>(() => TokenizerJson.Load(path));
        Assert.AreEqual($"{path}: normalizer: its Replace steps can grow text 9x (content longer than pattern, chained); at most 8x is accepted", e.Errors[0].ToString());
        // 2x then 4x is the limit and loads.
        node["normalizer"] = JsonNode.Parse("""{"type": "Sequence", "normalizers": [ {"type": "Replace", "pattern": {"String": "l"}, "content": "ll"}, {"type": "Replace", "pattern": {"String": "o"}, "content": "oooo"}]}""");
        Assert.AreEqual(1, TokenizerJson.Load(Write(s, node)).Prefix.Count);
    }

    [TestMethod]
    public void RegexReplacesThatCompound_AreStoppedAtUse_ByTheTotalBound()
    {
        using var s = new HardeningRun.Scratch();
        var node = JsonNode.Parse(TokenizerTests.SentencePiece)!;
        // Regex contents cannot be bounded at load; three 5x steps compound to 125x and are stopped at the second.
        var chain = new JsonArray();
        for (int i = 0; i < 3; i++)
        {
            chain.Add(JsonNode.Parse("""{"type": "Replace", "pattern": {"Regex": "l"}, "content": "lllll"}"""));
        }
        node["normalizer"] = new JsonObject { ["type"] = "Sequence", ["normalizers"] = chain };
        var t = TokenizerJson.Load(Write(s, node));
        var e = Assert.ThrowsExactly<InputException>(() => t.Encode(new string('l', 1000), addSpecial: true));
        StringAssert.Contains(e.Errors[0].ToString(), "normalizer: grows the text from 1000 to 25000 characters, more than 8x in total");
        Assert.AreEqual(3, t.Encode("ow", addSpecial: true).Count, "text the Replaces do not touch encodes");
    }

    [TestMethod]
    public void TotalWork_IsBoundedAcrossCalls_NotOnlyPerCall()
    {
        using var s = new HardeningRun.Scratch();
        var node = JsonNode.Parse(TokenizerTests.SentencePiece)!;
        node["pre_tokenizer"] = JsonNode.Parse("""{"type": "Split", "pattern": {"Regex": "(l|o)+w"}, "behavior": "Isolated"}""");
        var t = TokenizerJson.Load(Write(s, node), TimeSpan.FromMilliseconds(100));
        string text = string.Concat(Enumerable.Repeat("lolow lower ", 200));
        // Each call is far below the budget; without a running total the loop would finish.
        InputException? stopped = null;
        int calls = 0;
        for (; calls < 100_000 && stopped is null; calls++)
        {
            try
            {
                t.Encode(text, addSpecial: false);
            }
            catch (InputException e)
            {
                stopped = e;
            }
        }
        Assert.IsNotNull(stopped, "the total budget never stopped the run");
        Assert.IsTrue(calls > 1, "the first call alone should fit the budget");
        StringAssert.Contains(stopped.Errors[0].ToString(), "over the 0.1 s budget");
        StringAssert.Contains(stopped.Errors[0].ToString(), s.Path("tokenizer.json"));
    }
}
