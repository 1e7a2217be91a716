using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Parallelism;

namespace XQuant.Sim.Tests.Parallelism;

[TestClass]
public sealed class CollectivesTests
{
    // 900 GB/s bidirectional -> 450 GB/s per direction; alpha 1 us.
    private static readonly Link Nv = new("test", TopologyKind.Switch, 450e9, 1e-6, LatencyIsDefault: false, null);

    [TestMethod]
    public void RingAllReduce_IsTwoPMinusOneAlpha_PlusTwoPMinusOneOverP_BytesOverBandwidth()
    {
        // p = 4, 1 MB: 2*3*1us + 2*3/4 * 1e6 / 450e9 = 6 us + 3.3333 us.
        Assert.AreEqual(6e-6 + 1.5e6 / 450e9, Collectives.AllReduceSec(Nv, 4, 1e6), 1e-15);
        // p = 8, 16 KiB (batch 1, d = 8192, BF16): 14 us + 2*7/8 * 16384 / 450e9 = 14 us + 63.7 ns.
        Assert.AreEqual(14e-6 + 1.75 * 16384 / 450e9, Collectives.AllReduceSec(Nv, 8, 16384), 1e-15);
    }

    [TestMethod]
    public void AllGather_AndReduceScatter_AreHalfTheAllReduce_PointToPointIsOneMessage()
    {
        // p = 8, 8 MB gathered: 7 us + 7/8 * 8e6 / 450e9 = 7 us + 15.556 us.
        Assert.AreEqual(7e-6 + 7e6 / 450e9, Collectives.AllGatherSec(Nv, 8, 8e6), 1e-15);
        Assert.AreEqual(Collectives.AllGatherSec(Nv, 8, 8e6), Collectives.ReduceScatterSec(Nv, 8, 8e6));
        Assert.AreEqual(Collectives.AllReduceSec(Nv, 8, 8e6), 2 * Collectives.AllGatherSec(Nv, 8, 8e6), 1e-15);
        Assert.AreEqual(1e-6 + 1e6 / 450e9, Collectives.PointToPointSec(Nv, 1e6), 1e-15);
    }

    [TestMethod]
    public void OneRank_CostsNothing()
    {
        Assert.AreEqual(0, Collectives.AllReduceSec(Nv, 1, 1e9));
        Assert.AreEqual(0, Collectives.AllGatherSec(Nv, 1, 1e9));
    }

    [TestMethod]
    public void LinkFromProfile_HalvesTheBidirectionalRate_AndLabelsTheDefaultLatency()
    {
        var h100 = Link.From(TestData.Hardware("h100-sxm").Interconnect)!;
        Assert.AreEqual(450e9, h100.PerDirectionBytesPerSec);
        Assert.AreEqual(TopologyKind.Switch, h100.Topology);
        Assert.IsTrue(h100.LatencyIsDefault);
        Assert.AreEqual(Link.DefaultLatencySec, h100.LatencySec);
        var rngd = Link.From(TestData.Hardware("rngd").Interconnect)!;
        Assert.AreEqual(64e9, rngd.PerDirectionBytesPerSec);
        Assert.AreEqual(TopologyKind.Pcie, rngd.Topology);
        Assert.IsNull(Link.From(TestData.Hardware("rtx-4090").Interconnect));
        var sourced = Link.From(new Interconnect("x", 100e9, null, null, LatencySec: 3e-6, Topology: "torus"))!;
        Assert.AreEqual(3e-6, sourced.LatencySec);
        Assert.IsFalse(sourced.LatencyIsDefault);
        Assert.AreEqual(TopologyKind.Torus, sourced.Topology);
    }

    [TestMethod]
    [DataRow("NVLink 4", TopologyKind.Switch)]
    [DataRow("NVLink 3 bridge", TopologyKind.Ring)]
    [DataRow("ICI (2D torus, 4 ports)", TopologyKind.Torus)]
    [DataRow("Infinity Fabric", TopologyKind.Mesh)]
    [DataRow("24 x 200 GbE RoCE (on die)", TopologyKind.Mesh)]
    [DataRow("PCIe Gen4 x16", TopologyKind.Pcie)]
    public void Topology_IsInferredFromTheLinkKind(string kind, TopologyKind expected) =>
        Assert.AreEqual(expected, Topologies.Infer(kind));
}
