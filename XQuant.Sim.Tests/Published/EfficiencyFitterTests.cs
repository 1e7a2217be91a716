using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Studies.Published;
using static XQuant.Sim.Tests.Published.PublishedTestRows;

namespace XQuant.Sim.Tests.Published;

[TestClass]
public sealed class EfficiencyFitterTests
{
    [TestMethod]
    public void NelderMead_FindsTheMinimumOfAShiftedQuadratic()
    {
        var x = NelderMead.Minimize(v => Math.Pow(v[0] - 1.5, 2) + 3 * Math.Pow(v[1] + 0.5, 2), [0, 0], 1, 2000, 1e-14);
        Assert.AreEqual(1.5, x[0], 1e-4);
        Assert.AreEqual(-0.5, x[1], 1e-4);
    }

    [TestMethod]
    public void LogisticMap_RoundTripsInsideTheBounds()
    {
        double[] p = [0.7, 0.45, 2e-3, 30e-6];
        var back = EfficiencyFitter.FromU(EfficiencyFitter.ToU(p));
        for (int k = 0; k < p.Length; k++)
        {
            Assert.AreEqual(p[k], back[k], p[k] * 1e-9);
        }
        var extreme = EfficiencyFitter.FromU([100, -100, 100, -100]);
        Assert.IsTrue(extreme[0] <= 1.0 && extreme[1] >= 0.1 && extreme[2] <= 0.02 && extreme[3] >= 0);
    }

    /// <summary>Rows of the real models on real profiles that pull the four parameters apart: batch-1 decode of weights of
    /// different sizes and layer counts (bandwidth, step and layer time), large prefills and batches (compute).</summary>
    private static List<FitPoint> Synthetic(EngineEfficiency truth, string engine)
    {
        var a100 = TestData.Hardware("a100-sxm-80gb");
        var h200 = TestData.Hardware("h200");
        var l7 = TestData.Model("llama-2-7b");
        var l70 = TestData.Model("llama-2-70b");
        var l8 = TestData.Model("llama-3.1-8b");
        var cases = new List<PublishedCase>
        {
            Case(Row(PublishedMode.FixedBatch, PublishedMetric.TpotMs, batch: 1, input: 128, output: 64), a100, l7),
            Case(Row(PublishedMode.FixedBatch, PublishedMetric.TpotMs, batch: 1, input: 128, output: 64), h200, l8),
            Case(Row(PublishedMode.FixedBatch, PublishedMetric.TpotMs, batch: 1, input: 128, output: 64), h200, l70) with { Weights = WeightPrecision.Fp8 },
            Case(Row(PublishedMode.FixedBatch, PublishedMetric.TpotMs, batch: 16, input: 2048, output: 64), h200, l70) with { Weights = WeightPrecision.Fp8 },
            Case(Row(PublishedMode.FixedBatch, PublishedMetric.E2eSec, batch: 64, input: 1024, output: 16), a100, l7),
            Case(Row(PublishedMode.Concurrency, PublishedMetric.TtftMs, concurrency: 1, input: 8192, output: 64), h200, l8),
            Case(Row(PublishedMode.MaxThroughput, PublishedMetric.OutputTokPerSec, input: 1000, output: 1000), h200, l8),
            Case(Row(PublishedMode.MaxThroughput, PublishedMetric.OutputTokPerSec, input: 128, output: 2048), a100, l7),
        };
        var points = new List<FitPoint>();
        foreach (var c in cases)
        {
            var p = new AnalyticPredictor().Prepare(c).Prediction!;
            points.Add(new FitPoint($"S{points.Count}", engine, "NVIDIA", p.Predict(truth), p));
        }
        return points;
    }

    [TestMethod]
    public void Fit_RecoversKnownParameters_FromPointsTheModelGenerated()
    {
        var truth = new EngineEfficiency("synthetic", null, 0.72, 0.48, 1.5e-3, 20e-6);
        var points = Synthetic(truth, "synthetic");
        var (set, pooled) = EfficiencyFitter.FitSet(points, new FitOptions(PriorWeight: 1e-9, EngineShrink: 1e-9, MaxEvaluations: 4000), "synthetic");
        foreach (var e in new[] { pooled, set.For("synthetic", "NVIDIA") })
        {
            Assert.AreEqual(truth.DramBandwidthFraction, e.DramBandwidthFraction, 0.01 * truth.DramBandwidthFraction, e.Label);
            Assert.AreEqual(truth.ComputeFraction, e.ComputeFraction, 0.01 * truth.ComputeFraction, e.Label);
            Assert.AreEqual(truth.StepOverheadSec, e.StepOverheadSec, 0.05 * truth.StepOverheadSec, e.Label);
            Assert.AreEqual(truth.LayerOverheadSec, e.LayerOverheadSec, 0.05 * truth.LayerOverheadSec, e.Label);
        }
    }

    [TestMethod]
    public void Fit_LeaveOneOut_IsReportedBesideInSample_AndAnUnseenEngineUsesThePooledEntry()
    {
        var truth = new EngineEfficiency("synthetic", null, 0.8, 0.6, 1e-3, 10e-6);
        var points = Synthetic(truth, "a");
        points[0] = points[0] with { Engine = "lonely" };
        var fit = EfficiencyFitter.Fit(points);
        Assert.AreEqual(points.Count, fit.Rows.Count);
        Assert.IsTrue(fit.Rows.All(r => double.IsFinite(r.InSampleErrorPct) && double.IsFinite(r.LooErrorPct)));
        // The prior centre is the truth here, so both errors are small; the lonely engine's only row falls back to the pool when left out.
        Assert.IsTrue(fit.InSample.MedianAbs < 1 && fit.LeaveOneOut.MedianAbs < 1, $"{fit.InSample.MedianAbs} {fit.LeaveOneOut.MedianAbs}");
        Assert.AreEqual("lonely", fit.Rows[0].Entry);
        Assert.AreEqual(EngineEfficiency.DefaultEngine, fit.Rows[0].LooEntry);
        Assert.AreEqual(EngineEfficiency.DefaultEngine, fit.Set.For("never-seen", "AMD").Engine);
    }
}
