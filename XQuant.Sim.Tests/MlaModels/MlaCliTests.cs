namespace XQuant.Sim.Tests.MlaModels;

/// <summary>Commands on an MLA model: MLA-valid default schemes, the latent width where d_kv is shown.</summary>
[TestClass]
public sealed class MlaCliTests
{
    [TestMethod]
    public void Memory_DefaultsToMlaSchemes_ButAnExplicitKvSchemeIsStillRefused()
    {
        var (code, stdout, err) = TestCli.Run("memory", "--model", "deepseek-v2-lite-chat");
        Assert.AreEqual(0, code, err);
        StringAssert.Contains(stdout, "latent + RoPE key 576");
        foreach (string s in new[] { "mla ", "mla:4 ", "xquant:4 " })
        {
            StringAssert.Contains(stdout, s);
        }
        Assert.IsFalse(stdout.Contains("kivi", StringComparison.Ordinal));
        var (code2, stdout2, err2) = TestCli.Run("memory", "--model", "deepseek-v2-lite-chat", "--schemes", "fp16");
        Assert.AreEqual(2, code2);
        Assert.AreEqual("", stdout2);
        Assert.AreEqual(1, err2.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, err2);
    }

    [TestMethod]
    public void Ledger_DefaultsToMla_DenseModelsKeepFp16()
    {
        var (code, stdout, err) = TestCli.Run("ledger", "--model", "deepseek-v2-lite-chat", "--hardware", "h100-sxm", "--context", "4096");
        Assert.AreEqual(0, code, err);
        StringAssert.Contains(stdout, "scheme mla,");
        var (code2, stdout2, err2) = TestCli.Run("ledger", "--model", "llama-3.1-8b", "--hardware", "h100-sxm", "--context", "4096");
        Assert.AreEqual(0, code2, err2);
        StringAssert.Contains(stdout2, "scheme fp16,");
    }

    [TestMethod]
    public void Models_ShowTheLatentWidthAsDkv()
    {
        var (code, stdout, err) = TestCli.Run("models");
        Assert.AreEqual(0, code, err);
        string line = stdout.Split('\n').Single(l => l.StartsWith("deepseek-v3 ", StringComparison.Ordinal));
        var cells = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // id layers d heads kv_heads head_dim d_kv: head_dim = nope + rope = 192, d_kv = kv_lora + rope = 576.
        Assert.AreEqual("192", cells[5]);
        Assert.AreEqual("576", cells[6]);
    }
}
