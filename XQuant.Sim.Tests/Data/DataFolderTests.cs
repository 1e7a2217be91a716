using System.Text.Json;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Studies.Scenarios;

namespace XQuant.Sim.Tests.Data;

/// <summary>The shipped data folders are tested like code: every file loads, validates and says where its numbers came from.</summary>
[TestClass]
public sealed class DataFolderTests
{
    private static readonly string[] RequiredProfiles =
        ["a100-sxm-80gb", "h100-sxm", "h100-pcie", "h200", "b200", "l40s", "rtx-4090", "mi300x", "mi325x", "gaudi3", "tpu-v5e", "tpu-v6e", "rngd", "warboy", "epyc-9654"];

    private static readonly string[] RequiredModels =
        ["llama-2-7b", "llama-2-13b", "llama-2-70b", "llama-3.1-8b", "llama-3.1-70b", "mistral-7b-v0.3", "qwen2.5-7b",
         "llama-3.2-1b", "llama-3.2-3b", "qwen3-8b", "mixtral-8x7b", "qwen3-30b-a3b", "mistral-7b-v0.1", "deepseek-v2-lite-chat",
         "deepseek-v3", "gpt-oss-20b", "gpt-oss-120b", "gemma-2-9b"];

    [TestMethod]
    public void EveryProfileLoads_AndTheRequiredOnesExist()
    {
        var profiles = HardwareProfileLoader.LoadAll(TestPaths.HardwareProfiles);
        foreach (string id in RequiredProfiles)
        {
            Assert.IsTrue(profiles.Any(p => p.Id == id), $"missing profile {id}");
        }
        foreach (var p in profiles)
        {
            Assert.IsTrue(p.PeakFlopsSource.StartsWith("https://", StringComparison.Ordinal), $"{p.Id}: peak source must be a URL");
            Assert.IsTrue(p.Dram.Source?.StartsWith("https://", StringComparison.Ordinal) == true, $"{p.Id}: DRAM source must be a URL");
            Assert.IsTrue(p.DramBandwidthBytesPerSec > 1e9 && p.Dram.CapacityBytes > 1e9, p.Id);
            Assert.AreEqual(Provenance.Datasheet, p.Provenance);
        }
    }

    [TestMethod]
    public void EveryProfileKey_IsInTheSchema()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "schemas", "hardware-profile.schema.json")));
        var allowed = schema.RootElement.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.AreEqual("false", schema.RootElement.GetProperty("additionalProperties").GetRawText());
        foreach (string file in Directory.GetFiles(TestPaths.HardwareProfiles, "*.json"))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                Assert.IsTrue(allowed.Contains(p.Name), $"{Path.GetFileName(file)}: key {p.Name} not in schema");
            }
        }
    }

    [TestMethod]
    [DataRow("h100-sxm", 989.5e12, 3350e9, 80e9, DisplayName = "H100 SXM: dense BF16, not the 1979 sparse figure")]
    [DataRow("h200", 989.5e12, 4800e9, 141e9)]
    [DataRow("a100-sxm-80gb", 312e12, 2039e9, 80e9)]
    [DataRow("rngd", 256e12, 1500e9, 48e9)]
    [DataRow("mi300x", 1307.4e12, 5300e9, 192e9)]
    public void DatasheetFigures_AreDense(string id, double bf16, double bandwidth, double capacity)
    {
        var p = TestData.Hardware(id);
        Assert.AreEqual(bf16, p.Peak(DType.Bf16)!.Value, bf16 * 1e-9);
        Assert.AreEqual(bandwidth, p.DramBandwidthBytesPerSec, 1);
        Assert.AreEqual(capacity, p.Dram.CapacityBytes, 1);
    }

    [TestMethod]
    public void EveryModelLoads_WithPublicShapes()
    {
        var models = ModelConfigLoader.LoadAll(TestPaths.Models);
        CollectionAssert.AreEquivalent(RequiredModels, models.Select(m => m.Id).ToArray());
        var l2 = models.Single(m => m.Id == "llama-2-7b");
        Assert.AreEqual(6.738e9, l2.TotalParams, 0.001e9);
        var l3 = models.Single(m => m.Id == "llama-3.1-8b");
        Assert.AreEqual(8.03e9, l3.TotalParams, 0.01e9);
        Assert.AreEqual(1024, l3.KvDim);
        Assert.AreEqual("GQA", l3.AttentionKind);
        var qwen = models.Single(m => m.Id == "qwen2.5-7b");
        Assert.AreEqual(7.62e9, qwen.TotalParams, 0.01e9);
    }

    [TestMethod]
    public void EveryScenarioLoads_AndQuickstartIsSmall()
    {
        foreach (string file in Directory.GetFiles(TestPaths.Scenarios, "*.json"))
        {
            var s = ScenarioLoader.Load(file);
            Assert.IsTrue(s.CaseCount > 0, file);
        }
        Assert.IsTrue(ScenarioLoader.Load(Path.Combine(TestPaths.Scenarios, "quickstart.json")).CaseCount <= 256);
    }
}
