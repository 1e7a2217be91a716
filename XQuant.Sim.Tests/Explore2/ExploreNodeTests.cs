using System.Text.Json;
using XQuant.Sim.Cli.Explore;
using static XQuant.Sim.Tests.Explore.ExploreQuery;

namespace XQuant.Sim.Tests.Explore2;

/// <summary>Node profiles and tensor parallelism in the explorer: the API passes hardware=NODE and tp/pp to the CLI unchanged.</summary>
[TestClass]
public sealed class ExploreNodeTests
{
    [TestMethod]
    public void OptionsListTheShippedNodes()
    {
        using var doc = JsonDocument.Parse(ExploreApi.Handle("options", []).Json);
        var nodes = doc.RootElement.GetProperty("nodes").EnumerateArray().Select(e => e.GetString()).ToList();
        CollectionAssert.AreEquivalent(Directory.GetFiles(Path.Combine(TestPaths.HardwareProfiles, "nodes"), "*.json").Select(Path.GetFileNameWithoutExtension).ToList(), nodes);
        Assert.Contains("dgx-h100", nodes);
    }

    [TestMethod]
    [DataRow("ledger", "model", "llama-3.1-70b", "hardware", "dgx-h100", "scheme", "xquant-gqa:4", "context", "32768", "batch", "8", "tp", "8")]
    [DataRow("ledger", "model", "llama-3.1-70b", "hardware", "hgx-b200", "scheme", "kivi:2", "context", "8192", "tp", "4", "pp", "2")]
    [DataRow("ledger", "model", "llama-2-70b", "hardware", "mi300x-8", "scheme", "fp16", "phase", "prefill", "context", "4096", "tp", "2")]
    [DataRow("breakeven", "model", "llama-3.1-70b", "hardware", "dgx-h100", "scheme", "xquant-gqa:4", "tp", "8")]
    [DataRow("compare", "model", "llama-3.1-70b", "hardware", "dgx-h100,hgx-b200", "schemes", "fp16,kivi:2", "context", "4096,32768", "tp", "8")]
    public void NodeCase_ApiEqualsCli(params string[] kv)
    {
        string command = kv[0];
        var q = Q(kv[1..]);
        var api = ExploreApi.Handle(command, q);
        Assert.AreEqual(200, api.Status, api.Json);
        Assert.AreEqual(CliJson(command, q), api.Json);
        // tp reached the cost model: without it the document differs.
        var single = ExploreApi.Handle(command, q.Where(p => p.Key is not ("tp" or "pp")).ToArray());
        Assert.AreEqual(200, single.Status, single.Json);
        Assert.AreNotEqual(single.Json, api.Json);
    }

    [TestMethod]
    public void TpOnADeviceWithoutALink_Is400_NamingTp()
    {
        var r = ExploreApi.Handle("ledger", Q("model", "llama-2-7b", "hardware", "warboy", "tp", "2"));
        Assert.AreEqual(400, r.Status);
        StringAssert.Contains(r.Json, "tp: warboy has no interconnect block");
        Assert.AreEqual(400, ExploreApi.Handle("memory", Q("model", "llama-2-7b", "tp", "2")).Status, "memory has no tp");
    }
}
