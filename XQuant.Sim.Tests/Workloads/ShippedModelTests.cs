using XQuant.Sim.Domain.Models;

namespace XQuant.Sim.Tests.Workloads;

[TestClass]
public sealed class ShippedModelTests
{
    [TestMethod]
    // Parameter counts as the checkpoints report them (safetensors totals). Qwen3 adds a per-head RMSNorm on Q and K
    // (2 x head_dim weights per layer) that xqsim does not count: 36 x 256 and 48 x 256 weights below.
    [DataRow("llama-3.2-1b", 1_235_814_400.0)]
    [DataRow("llama-3.2-3b", 3_212_749_824.0)]
    [DataRow("mixtral-8x7b", 46_702_792_704.0)]
    [DataRow("mistral-7b-v0.1", 7_241_732_096.0)]
    [DataRow("qwen3-8b", 8_190_735_360.0 - 36 * 256)]
    [DataRow("qwen3-30b-a3b", 30_532_122_624.0 - 48 * 256)]
    public void ShippedModel_CountsItsPublishedParameters(string id, double parameters)
    {
        Assert.AreEqual(parameters, TestData.Model(id).TotalParams);
    }

    [TestMethod]
    public void ShippedMoeModels_ReadTheirExperts()
    {
        Assert.AreEqual(new MoeConfig(8, 2, 14336, 0, 0), TestData.Model("mixtral-8x7b").Moe);
        Assert.AreEqual(new MoeConfig(128, 8, 768, 0, 0), TestData.Model("qwen3-30b-a3b").Moe);
        Assert.IsNull(TestData.Model("qwen3-8b").Moe);
        Assert.IsNull(TestData.Model("qwen3-8b").Window);
        var mistral = TestData.Model("mistral-7b-v0.1");
        Assert.AreEqual(4096, mistral.Window!.WindowTokens);
        Assert.AreEqual(32, mistral.Window.LocalLayers);
    }
}
