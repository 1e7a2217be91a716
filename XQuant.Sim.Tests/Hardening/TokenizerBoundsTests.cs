using System.Text.Json.Nodes;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Studies.Checkpoints;
using XQuant.Sim.Tests.Checkpoints;

namespace XQuant.Sim.Tests.Hardening;

/// <summary>Hostile tokenizer.json files are refused at load or bounded at use: never a loop, never GBs, always exit 2.</summary>
[TestClass]
public sealed class TokenizerBoundsTests
{
    private static TokenizerJson Load(JsonNode node, HardeningRun.Scratch s)
    {
        string path = s.Path("tokenizer.json");
        File.WriteAllText(path, node.ToJsonString());
        return TokenizerJson.Load(path);
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("ab")]
    public void MetaspaceReplacement_MustBeOneCharacter(string replacement)
    {
        using var s = new HardeningRun.Scratch();
        var node = JsonNode.Parse(TokenizerTests.SentencePiece)!;
        node["normalizer"] = null;
        node["pre_tokenizer"] = new JsonObject { ["type"] = "Metaspace", ["replacement"] = replacement };
        var e = Assert.ThrowsExactly<InputException>(() => Load(node, s));
        StringAssert.Contains(e.Errors[0].ToString(), "replacement");
    }

    [TestMethod]
    public void EmptyReplacePattern_IsRefusedAtLoad()
    {
        using var s = new HardeningRun.Scratch();
        var node = JsonNode.Parse(TokenizerTests.SentencePiece)!;
        node["normalizer"] = JsonNode.Parse("""{"type": "Replace", "pattern": {"String": ""}, "content": "x"}""");
        var e = Assert.ThrowsExactly<InputException>(() => Load(node, s));
        StringAssert.Contains(e.Errors[0].ToString(), "pattern.String");
    }

    [TestMethod]
    public void ChainedAmplifyingReplaces_AreStopped()
    {
        using var s = new HardeningRun.Scratch();
        var node = JsonNode.Parse(TokenizerTests.SentencePiece)!;
        var chain = new JsonArray();
        for (int i = 0; i < 12; i++)
        {
            chain.Add(JsonNode.Parse("""{"type": "Replace", "pattern": {"String": "l"}, "content": "llllllllllllllll"}"""));
        }
        node["normalizer"] = new JsonObject { ["type"] = "Sequence", ["normalizers"] = chain };
        // String Replaces are bounded at load (16^12x); Regex ones at use (TokenizerHardeningTests).
        var e = Assert.ThrowsExactly<InputException>(() => Load(node, s));
        StringAssert.Contains(e.Errors[0].ToString(), "at most 8x is accepted");
    }
}
