using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Studies.Serving;

namespace XQuant.Sim.Tests.Serving;

[TestClass]
public sealed class MetricsTests
{
    [TestMethod]
    public void Percentiles_InterpolateBetweenClosestRanks()
    {
        var d = Distribution.Of([4, 1, 3, 2]);
        Assert.AreEqual(2.5, d.P50, 1e-12);
        Assert.AreEqual(3.7, d.P90, 1e-12); // rank 0.9 x 3 = 2.7
        Assert.AreEqual(3.97, d.P99, 1e-12);
        Assert.AreEqual(2.5, d.Mean, 1e-12);
        Assert.AreEqual(0, Distribution.Of([double.NaN]).Count);
    }

    [TestMethod]
    public void Summary_UsesAIPerfDefinitions()
    {
        // Two requests: (arrival 0, first 1, finish 3, 5 tokens) and (arrival 1, first 4, finish 5, 3 tokens).
        var a = new RequestOutcome(new ServingRequest(0, 0, 10, 5), false, 1, 3, 0);
        var b = new RequestOutcome(new ServingRequest(1, 1, 20, 3), false, 4, 5, 0);
        Assert.AreEqual(0.5, a.TpotSec, 1e-12);  // (3 - 1) / (5 - 1)
        Assert.AreEqual(0.5, b.TpotSec, 1e-12);  // (4 - 3) / (3 - 1)... E2E 4, TTFT 3
        var pool = PoolPlan.For(ServingKit.Tiny(), 4, 64);
        var r = new SimulationResult([a, b], pool, new SchedulerConfig(64, 4, true, 4), 5, 4, 0, 0, 0, 0, 0, 0, [1, 1], [], []);
        var s = ServingSummary.Of(r, Slo.Parse("ttft=2s"));
        Assert.AreEqual(5, s.DurationSec, 1e-12);              // first arrival 0 to last completion 5
        Assert.AreEqual(2 / 5.0, s.RequestsPerSec, 1e-12);
        Assert.AreEqual(8 / 5.0, s.OutputTokensPerSec, 1e-12);
        Assert.AreEqual(38 / 5.0, s.TotalTokensPerSec, 1e-12);
        Assert.AreEqual(1 / 5.0, s.GoodputRequestsPerSec, 1e-12); // only a meets TTFT <= 2 s (b waited 3 s)
        Assert.AreEqual(2, s.TtftSec.P50, 1e-12);
    }

    [TestMethod]
    public void Slo_ParsesUnits_AndRejectsBadTargets()
    {
        var slo = Slo.Parse("ttft=2s, tpot=50ms,e2e=1.5s");
        Assert.AreEqual(2, slo.TtftSec);
        Assert.AreEqual(0.05, slo.TpotSec!.Value, 1e-15);
        Assert.AreEqual(1.5, slo.E2eSec);
        foreach (string bad in new[] { "ttft=2", "ttft=-1s", "itl=1s", "ttft=1s,ttft=2s", "", "tpot=abcms" })
        {
            var e = Assert.ThrowsExactly<InputException>(() => Slo.Parse(bad));
            Assert.IsTrue(e.Errors.All(x => x.Source == "--slo"), bad);
        }
    }

    [TestMethod]
    public void Trace_ReportsEveryBadLine_WithFileLineAndField()
    {
        var ok = TraceLoader.Parse(["arrival_s,input_tokens,output_tokens", "0,10,5", "0.5,20,3", ""], "t.csv", 100);
        Assert.AreEqual(2, ok.Count);
        Assert.AreEqual(new ServingRequest(1, 0.5, 20, 3), ok[1]);
        var e = Assert.ThrowsExactly<InputException>(() => TraceLoader.Parse(
            ["arrival_s,input_tokens,output_tokens", "1,10,5", "0.5,10,5", "2,0,5", "3,90,20", "x,1,1", "4,1"], "t.csv", 100));
        CollectionAssert.AreEqual(
            new[] { "t.csv:3: arrival_s", "t.csv:4: input_tokens", "t.csv:5: input_tokens", "t.csv:6: arrival_s", "t.csv:7" },
            e.Errors.Select(x => string.IsNullOrEmpty(x.Field) ? x.Source : $"{x.Source}: {x.Field}").ToArray());
        Assert.ThrowsExactly<InputException>(() => TraceLoader.Parse([], "t.csv", 100));
        Assert.ThrowsExactly<InputException>(() => TraceLoader.Parse(["arrival_s,input_tokens,output_tokens"], "t.csv", 100));
        Assert.ThrowsExactly<InputException>(() => TraceLoader.Parse(["a,b,c", "0,1,1"], "t.csv", 100));
    }

    [TestMethod]
    public void MaxRate_FindsTheEdge_WithinTolerance()
    {
        var w = ServingKit.Template("fp16");
        var sim = ServingKit.Simulator(w, new SchedulerConfig(8192, 1024, true, 16));
        var spec = new ArrivalSpec(ArrivalKind.Poisson, 300, new LengthSpec(1024, 1024), new LengthSpec(128, 128), 1);
        var slo = Slo.Parse("ttft=200ms,tpot=20ms");
        var m = MaxRateSearch.Find(sim, spec, slo, 90);
        Assert.IsTrue(m.RatePerSec > 0 && !m.CapacityBound, "this SLO binds below the saturated rate");
        Assert.IsTrue(m.Best!.Passed);
        Assert.AreEqual(m.RatePerSec, m.Best.RatePerSec);
        var above = m.Probes.Where(p => !p.Passed && p.RatePerSec > m.RatePerSec).Min(p => p.RatePerSec);
        Assert.IsTrue(above <= m.RatePerSec * (1 + MaxRateSearch.RelativeTolerance) * 1.0001, $"bracket {m.RatePerSec}..{above}");
        Assert.IsTrue(m.Best.Summary.TtftSec.P90 <= 0.2 && m.Best.Summary.TpotSec.P90 <= 0.02);
    }
}
