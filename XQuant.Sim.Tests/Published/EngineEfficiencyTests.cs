using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Tests.Published;

[TestClass]
public sealed class EngineEfficiencyTests
{
    [TestMethod]
    public void Derate_ScalesBandwidthAndPeaks_AndTagsEngineFitted()
    {
        var e = new EngineEfficiency("vllm", null, 0.8, 0.5, 1e-3, 10e-6);
        var hw = e.Derate(TestData.Round);
        Assert.AreEqual(0.8e12, hw.DramBandwidthBytesPerSec, 1);
        Assert.AreEqual(0.5e12, hw.Peak(DType.Bf16)!.Value, 1);
        Assert.AreEqual(1e12, hw.Peak(DType.Fp32)!.Value, 1);
        Assert.AreEqual(Provenance.EngineFitted, hw.Provenance);
        Assert.AreEqual("engine-fitted", hw.Provenance.Name());
        Assert.AreEqual(1e-3 + 32 * 10e-6, e.OverheadSec(32), 1e-15);
        Assert.AreSame(TestData.Round, EngineEfficiency.Datasheet.Derate(TestData.Round));
    }

    [TestMethod]
    public void Lookup_PrefersEngineAndVendor_ThenEngine_ThenDefault()
    {
        var set = new EngineEfficiencySet(
        [
            new("default", null, 0.7, 0.5, 0, 0),
            new("vllm", null, 0.8, 0.5, 0, 0),
            new("vllm", "AMD", 0.6, 0.5, 0, 0),
        ], "m", "f");
        Assert.AreEqual(0.6, set.For("vLLM", "AMD").DramBandwidthFraction);
        Assert.AreEqual(0.8, set.For("vllm", "NVIDIA").DramBandwidthFraction);
        Assert.AreEqual(0.7, set.For("sglang", "NVIDIA").DramBandwidthFraction);
        Assert.AreSame(EngineEfficiency.Datasheet, new EngineEfficiencySet([], "m", "f").For("vllm", null));
    }

    [TestMethod]
    public void Json_RoundTrips_AndRejectsOutOfBoundValuesOnePerLine()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "eff.json");
        var set = new EngineEfficiencySet([new("default", null, 0.91, 0.55, 2e-3, 12e-6, 31), new("vllm", "AMD", 0.6, 0.4, 0, 0, 2)], "method", "rows");
        File.WriteAllText(path, EngineEfficiencyJson.ToJson(set));
        var back = EngineEfficiencyJson.Load(path);
        Assert.AreEqual(2, back.Entries.Count);
        Assert.AreEqual(set.Entries[0] with { }, back.Entries[0]);
        Assert.AreEqual("AMD", back.Entries[1].Vendor);

        File.WriteAllText(path, EngineEfficiencyJson.ToJson(set).Replace("0.91", "1.5", StringComparison.Ordinal).Replace("\"compute_fraction\": 0.4", "\"compute_fraction\": -1", StringComparison.Ordinal));
        var ex = Assert.ThrowsExactly<InputException>(() => EngineEfficiencyJson.Load(path));
        Assert.AreEqual(2, ex.Errors.Count, ex.Message);
        StringAssert.Contains(ex.Errors[0].ToString(), "engines[0].dram_bandwidth_fraction: is 1.5, must be from 0.3 to 1");
        StringAssert.Contains(ex.Errors[1].ToString(), "engines[1].compute_fraction");
    }

    [TestMethod]
    public void ShippedFile_Loads_AndHasThePooledEntry()
    {
        var set = EngineEfficiencyJson.Load(Path.Combine(TestPaths.RepoRoot, "data", "efficiency.json"));
        Assert.IsNotNull(set.Find("an-engine-nobody-fitted", "NVIDIA"));
        Assert.IsTrue(set.Entries.All(e => e.Rows > 0), "every shipped entry was fitted on rows");
    }
}
