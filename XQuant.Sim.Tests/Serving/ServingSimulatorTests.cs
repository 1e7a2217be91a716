using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Studies.Serving;

namespace XQuant.Sim.Tests.Serving;

[TestClass]
public sealed class ServingSimulatorTests
{
    private static readonly SchedulerConfig Big = new(8192, 1024, true, 16);

    [TestMethod]
    [DataRow("fp16")]
    [DataRow("kivi:2")]
    [DataRow("xquant:4")]
    [DataRow("xquant-cl:2")]
    [DataRow("xquant-gqa:2")]
    public void OneRequestAlone_TtftIsThePrefillLedger_TpotIsTheMeanDecodeStep(string scheme)
    {
        const int P = 700, O = 40;
        var w = ServingKit.Template(scheme);
        var r = ServingKit.Simulator(w, Big).Run(ServingKit.Trace((0.0, P, O))).Requests.Single();
        ServingKit.Near(ServingKit.Step(w, 1, P, Phase.Prefill), r.TtftSec, 1e-3, "TTFT");
        double meanDecode = Enumerable.Range(P, O - 1).Average(l => ServingKit.Step(w, 1, l, Phase.Decode));
        ServingKit.Near(meanDecode, r.TpotSec, 1e-3, "TPOT");
        // The combination is exact, not just within the 0.1%.
        ServingKit.Near(ServingKit.Step(w, 1, P, Phase.Prefill), r.TtftSec, 1e-9);
        ServingKit.Near(meanDecode, r.TpotSec, 1e-9);
    }

    [TestMethod]
    public void ThreeRequests_HandTimeline()
    {
        // A and B (4 prompt tokens, 3 output tokens) arrive at 0 and run as a batch of 2; max_num_seqs = 2 keeps C
        // (same lengths, also at 0) waiting until both finish; D arrives at 10 s to an idle server.
        var w = ServingKit.Tiny();
        var config = new SchedulerConfig(64, 2, true, 4);
        var result = ServingKit.Simulator(w, config).Run(ServingKit.Trace((0, 4, 3), (0, 4, 3), (0, 4, 3), (10, 4, 3)));
        double p2 = ServingKit.Step(w, 2, 4, Phase.Prefill), d2a = ServingKit.Step(w, 2, 4, Phase.Decode), d2b = ServingKit.Step(w, 2, 5, Phase.Decode);
        double p1 = ServingKit.Step(w, 1, 4, Phase.Prefill), d1a = ServingKit.Step(w, 1, 4, Phase.Decode), d1b = ServingKit.Step(w, 1, 5, Phase.Decode);
        var r = result.Requests;
        double abFirst = p2, abDone = p2 + d2a + d2b;
        foreach (var ab in r.Take(2))
        {
            ServingKit.Near(abFirst, ab.FirstTokenSec);
            ServingKit.Near(abDone, ab.FinishSec);
        }
        ServingKit.Near(abDone + p1, r[2].FirstTokenSec, 1e-9, "C admitted when A and B finish");
        ServingKit.Near(abDone + p1 + d1a + d1b, r[2].FinishSec);
        ServingKit.Near(abDone + p1, r[2].TtftSec, 1e-9, "C's TTFT includes its wait");
        ServingKit.Near(10 + p1, r[3].FirstTokenSec);
        ServingKit.Near(10 + p1 + d1a + d1b, r[3].FinishSec);
        ServingKit.Near((d1a + d1b) / 2, r[3].TpotSec);
        Assert.AreEqual(9, result.Iterations); // 3 for A+B, 3 for C, 3 for D
        Assert.AreEqual(0, result.Preemptions);
    }

    [TestMethod]
    public void Preemption_HappensExactlyWhenThePoolIsFull()
    {
        // Blocks of 4 tokens; two requests of 4 + 6 tokens need up to 9 cached tokens = 3 blocks each. A pool of 6
        // never runs out; with 5, the 6th iteration (both at 8 tokens, 4 blocks used, both asking for a 3rd) gives A
        // the last free block and preempts B, which recomputes its 9 known tokens once A is done.
        var w = ServingKit.Tiny();
        var config = new SchedulerConfig(64, 16, true, 4);
        var trace = ServingKit.Trace((0, 4, 6), (0, 4, 6));
        PoolPlan Pool(PoolPlan p, long blocks) => p with { TotalBlocks = blocks, StateBlocksPerSequence = 0 };

        var roomy = ServingKit.Simulator(w, config, p => Pool(p, 6)).Run(trace);
        Assert.AreEqual(0, roomy.Preemptions);
        Assert.AreEqual(6, roomy.MaxUsedBlocks);
        Assert.AreEqual(6, roomy.Iterations);

        var tight = ServingKit.Simulator(w, config, p => Pool(p, 5)).Run(trace);
        Assert.AreEqual(1, tight.Preemptions);
        Assert.AreEqual(5, tight.MaxUsedBlocks);
        Assert.AreEqual(0, tight.Requests[0].Preemptions);
        Assert.AreEqual(1, tight.Requests[1].Preemptions);
        double t5 = ServingKit.Step(w, 2, 4, Phase.Prefill) + Enumerable.Range(4, 4).Sum(l => ServingKit.Step(w, 2, l, Phase.Decode));
        double aDone = t5 + ServingKit.Step(w, 1, 8, Phase.Decode);
        ServingKit.Near(aDone, tight.Requests[0].FinishSec);
        ServingKit.Near(aDone + ServingKit.Step(w, 1, 9, Phase.Prefill), tight.Requests[1].FinishSec, 1e-9, "B recomputes 4 prompt + 5 output tokens");
        Assert.AreEqual(0, tight.BlocksInUseAtEnd);

        // A request that cannot fit even alone is skipped, not waited on forever.
        var skip = ServingKit.Simulator(w, config, p => Pool(p, 5)).Run(ServingKit.Trace((0, 4, 6), (0, 20, 2)));
        Assert.IsTrue(skip.Requests[1].Skipped);
        Assert.IsTrue(skip.Requests[0].Completed);
    }

    [TestMethod]
    public void WithoutChunking_APromptRunsWhole_AndWaitsForBudget()
    {
        // Budget 8: chunked, a 12-token prompt takes two iterations (8 + 4); unchunked the budget must hold it.
        var w = ServingKit.Tiny();
        var chunked = ServingKit.Simulator(w, new SchedulerConfig(8, 16, true, 4)).Run(ServingKit.Trace((0, 12, 2)));
        var coster = new IterationCoster(w);
        double first = coster.TimeSec(coster.Chunk(0, 8, false)) + coster.TimeSec(coster.Chunk(8, 4, true));
        ServingKit.Near(first, chunked.Requests[0].FirstTokenSec);
        var whole = ServingKit.Simulator(w, new SchedulerConfig(16, 16, false, 4)).Run(ServingKit.Trace((0, 12, 2), (0, 12, 2)));
        // 12 + 12 > 16: the second prompt waits for the next iteration, where it joins A's decode.
        ServingKit.Near(ServingKit.Step(w, 1, 12, Phase.Prefill), whole.Requests[0].FirstTokenSec);
        Assert.IsTrue(whole.Requests[1].FirstTokenSec > whole.Requests[0].FirstTokenSec);
    }

    [TestMethod]
    public void RandomTrace_Invariants_AndDeterminism()
    {
        var w = ServingKit.Template("kivi:2") with { RuntimeReserveFraction = 0.75 }; // a small pool, so preemptions happen
        var sim = ServingKit.Simulator(w, new SchedulerConfig(2048, 256, true, 16));
        var spec = new ArrivalSpec(ArrivalKind.Poisson, 400, new LengthSpec(1, 3000), new LengthSpec(1, 600), 7, RatePerSec: 40);
        var a = sim.Run(spec);
        var b = ServingKit.Simulator(w, new SchedulerConfig(2048, 256, true, 16)).Run(spec);
        Assert.IsTrue(a.Preemptions > 0, "the test should exercise preemption");
        Assert.AreEqual(400, a.Requests.Count(r => r.Completed) + a.Requests.Count(r => r.Skipped));
        Assert.AreEqual(0, a.BlocksInUseAtEnd, "no block leaked");
        Assert.IsTrue(a.MaxUsedBlocks <= a.Pool.TotalBlocks, "pool never exceeded");
        Assert.IsTrue(a.PoolUsedBlocks.All(u => u >= 0 && u <= a.Pool.TotalBlocks));
        long needed = a.Requests.Where(r => r.Completed).Sum(r => (long)r.Request.InputTokens + r.Request.OutputTokens - 1);
        Assert.AreEqual(needed + a.RecomputedTokens, a.PrefillTokens + a.DecodeTokens, "tokens conserved: each needed once, plus what preemption dropped");
        Assert.IsTrue(a.RecomputedTokens > 0);
        foreach (var r in a.Requests.Where(r => r.Completed))
        {
            Assert.IsTrue(r.FirstTokenSec >= r.Request.ArrivalSec && r.FinishSec >= r.FirstTokenSec);
        }
        CollectionAssert.AreEqual(a.Requests.ToList(), b.Requests.ToList(), "same seed, same outcomes");
        Assert.AreEqual(a.Iterations, b.Iterations);
    }

    [TestMethod]
    public void ClosedLoop_KeepsAtMostNRequestsInFlight()
    {
        var w = ServingKit.Tiny();
        var spec = new ArrivalSpec(ArrivalKind.ClosedLoop, 20, new LengthSpec(4, 4), new LengthSpec(3, 3), 1, Concurrency: 3);
        var r = ServingKit.Simulator(w, new SchedulerConfig(64, 16, true, 4)).Run(spec).Requests;
        Assert.AreEqual(20, r.Count(x => x.Completed));
        // Each request after the third is sent when an earlier one finishes.
        var finishes = r.Select(x => x.FinishSec).Order().ToList();
        for (int i = 3; i < r.Count; i++)
        {
            Assert.IsTrue(finishes.Contains(r[i].Request.ArrivalSec), $"request {i} arrives at a completion");
            Assert.IsTrue(r.Count(x => x.Request.ArrivalSec <= r[i].Request.ArrivalSec && x.FinishSec > r[i].Request.ArrivalSec) <= 3);
        }
    }

    [TestMethod]
    public void PoissonArrivals_HaveTheRequestedMeanGap_AndRescaleWithTheRate()
    {
        var spec = new ArrivalSpec(ArrivalKind.Poisson, 20000, new LengthSpec(1, 1), new LengthSpec(1, 1), 3, RatePerSec: 5);
        var a = spec.Build();
        Assert.AreEqual(0.2, a[^1].ArrivalSec / a.Count, 0.2 * 0.03);
        var b = spec.WithRate(10).Build();
        ServingKit.Near(a[1234].ArrivalSec / 2, b[1234].ArrivalSec, 1e-12);
    }
}
