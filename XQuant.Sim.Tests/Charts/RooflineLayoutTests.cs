using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Domain.Schemes;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Rendering.Charts;
using XQuant.Sim.Studies.Scenarios;
using XQuant.Sim.Tests.Reports;

namespace XQuant.Sim.Tests.Charts;

[TestClass]
public sealed class RooflineLayoutTests
{
    private static void AssertReadable(RooflineLayout l, string what)
    {
        for (int i = 0; i < l.Labels.Count; i++)
        {
            var a = l.Labels[i].Box;
            Assert.IsTrue(a.Inside(l.DataArea), $"{what}: label '{l.Labels[i].Request.Text}' leaves the plot");
            Assert.IsFalse(a.Intersects(l.LegendBox), $"{what}: label '{l.Labels[i].Request.Text}' covers the legend");
            for (int j = i + 1; j < l.Labels.Count; j++)
            {
                Assert.IsFalse(a.Intersects(l.Labels[j].Box), $"{what}: labels '{l.Labels[i].Request.Text}' and '{l.Labels[j].Request.Text}' overlap");
            }
        }
    }

    [TestMethod]
    public void ShippedScenarioRooflines_HaveNoOverlappingLabels()
    {
        var run = ScenarioRunner.Run(ScenarioLoader.Load(Path.Combine(TestPaths.Scenarios, "quickstart.json")));
        var focus = ChartSet.DefaultFocus(run.Cases);
        foreach (var g in run.Cases.Where(c => c.Workload.Batch == focus.Batch && c.Workload.ContextTokens == focus.Context)
                     .GroupBy(c => (c.Workload.Model.Id, c.Workload.Hardware.Id)))
        {
            AssertReadable(RooflineChart.Layout(g.ToList()), $"{g.Key.Item1} on {g.Key.Item2}");
        }
    }

    [TestMethod]
    [DataRow("h100-sxm", "llama-3.1-8b", "fp16,kivi:2,xquant-gqa:2", 1)]
    [DataRow("mi300x", "llama-2-7b", "fp16,kivi:4,kivi:2,xquant:4,xquant-cl:2", 16)]
    [DataRow("warboy", "llama-2-7b", "fp16,kivi:4,kivi:2,xquant:4,xquant-cl:2", 1)]
    [DataRow("rngd", "llama-2-7b", "fp16,kivi:4,kivi:2,xquant:4,xquant-cl:2", 1)]
    public void DocumentedRooflines_HaveNoOverlappingLabels(string hw, string model, string schemes, int batch)
    {
        var m = ModelConfigLoader.Load(TestPaths.Model(model));
        var h = HardwareProfileLoader.Load(Path.Combine(TestPaths.HardwareProfiles, hw + ".json"));
        var cases = SchemeRegistry.ParseFor(schemes, m).Select(s => CaseCoster.Cost(new Workload(m, h, s, WeightPrecision.Bf16, batch, 32768))).ToList();
        var l = RooflineChart.Layout(cases);
        AssertReadable(l, hw);
        Assert.IsNotEmpty(l.Roofs);
        Assert.AreEqual(h.OnChip?.BandwidthBytesPerSec, l.OnChipBytesPerSec);
    }

    [TestMethod]
    public void Roofline_HasOneRoofPerDtypeUsed_AndRidgeFromProfile()
    {
        var l = RooflineChart.Layout(ReportFixtures.SmallResult.Cases.Where(c => c.Workload.Hardware.Id == "h100-sxm" && c.Workload.ContextTokens == 4096).ToList());
        var h100 = ReportFixtures.SmallResult.Request.Hardware[0];
        var bf16 = l.Roofs.Single(r => r.DType == DType.Bf16);
        Assert.AreEqual(h100.RidgeFlopsPerByte(DType.Bf16)!.Value, bf16.RidgeFlopsPerByte, 1e-9);
        Assert.IsTrue(l.Roofs.Any(r => r.DType == DType.Fp32), "elementwise ops compute in fp32: their roof is drawn");
        Assert.IsTrue(l.Points.Any(p => p.SchemeIndex == -1), "weight GEMMs are shared by every scheme");
        // Every point sits on or under the roof that timed it.
        foreach (var p in l.Points.Where(p => !p.OnChipOnly))
        {
            Assert.IsLessThanOrEqualTo(l.DramBytesPerSec * p.Intensity * (1 + 1e-9), p.FlopsPerSec, p.Op);
        }
    }

    [TestMethod]
    public void LabelPlacer_AvoidsObstaclesAndOtherLabels()
    {
        var bounds = new PixelBox(0, 0, 400, 300);
        var requests = Enumerable.Range(0, 6).Select(i => new LabelRequest(200, 150, "label " + i, 11)).ToList();
        var placed = LabelPlacer.Place(requests, bounds, [PixelBox.Around(200, 150, 6)]);
        for (int i = 0; i < placed.Count; i++)
        {
            Assert.IsTrue(placed[i].Box.Inside(bounds));
            Assert.IsFalse(placed[i].Box.Intersects(PixelBox.Around(200, 150, 6)));
            for (int j = i + 1; j < placed.Count; j++)
            {
                Assert.IsFalse(placed[i].Box.Intersects(placed[j].Box));
            }
        }
    }

    [TestMethod]
    public void RooflineChart_RejectsMixedDevices()
    {
        var cases = ReportFixtures.SmallResult.Cases.Where(c => c.Workload.ContextTokens == 4096).ToList();
        Assert.ThrowsExactly<ArgumentException>(() => RooflineChart.Layout(cases));
        _ = Formats.Sig(1);
    }
}
