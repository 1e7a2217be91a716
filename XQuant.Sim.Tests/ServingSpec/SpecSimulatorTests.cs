using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Parallelism;
using XQuant.Sim.Studies.Serving;
using XQuant.Sim.Tests.Serving;

namespace XQuant.Sim.Tests.ServingSpec;

[TestClass]
public sealed class SpecSimulatorTests
{
    private static readonly SchedulerConfig Config = new(8192, 256, true, 16);

    private static Workload Spec(string scheme, int k, double a, string? draft = null)
    {
        var w = ServingKit.Template(scheme);
        var text = $"k={k},accept={a.ToString(System.Globalization.CultureInfo.InvariantCulture)}" + (draft is null ? "" : $",draft={draft}");
        return w with { Speculation = SpecDecodingText.Parse(text, w.Model, "test") };
    }

    private static ServingSimulator Simulator(Workload w, Func<PoolPlan, PoolPlan>? pool = null)
    {
        var plan = PoolPlan.For(w, Config.BlockTokens, Config.MaxBatchedTokens);
        var drafter = w.Speculation is { DraftTokens: > 0, Drafter: not SpecDrafter.Free } ? IterationCoster.ForDrafter(w, true) : null;
        return new ServingSimulator(new IterationCoster(w), pool is null ? plan : pool(plan), Config, drafter);
    }

    [TestMethod]
    public void K0_IsPlainDecode_RequestByRequest()
    {
        var arrivals = new ArrivalSpec(ArrivalKind.Poisson, 40, new LengthSpec(100, 400), new LengthSpec(2, 40), 3, 20);
        var plain = ServingKit.Simulator(ServingKit.Template("xquant-gqa:4"), Config).Run(arrivals);
        var k0 = Simulator(Spec("xquant-gqa:4", 0, 0.8, "llama-3.2-1b")).Run(arrivals);
        CollectionAssert.AreEqual(plain.Requests.ToList(), k0.Requests.ToList());
        Assert.AreEqual(plain.BusySec, k0.BusySec);
        Assert.AreEqual(plain.Iterations, k0.Iterations);
        CollectionAssert.AreEqual(plain.InterTokenGapsSec.ToList(), k0.InterTokenGapsSec.ToList());
        Assert.AreEqual(0, k0.VerifySteps);
        Assert.AreEqual(plain.Pool, k0.Pool, "k = 0 loads no draft model");
    }

    [TestMethod]
    [DataRow(0.0, 40)]
    [DataRow(0.999999, 10)]
    public void OneRequest_AdvancesOnePlusAcceptedTokensPerDecodeIteration(double a, int decodeIterations)
    {
        // Output 41: the prefill yields token 1; then 40 tokens at 1 per verify step (a = 0) or k + 1 = 4 (a ~ 1).
        var w = Spec("fp16", 3, a);
        var r = Simulator(w).Run(ServingKit.Trace((0, 64, 41)));
        Assert.AreEqual(1 + decodeIterations, r.Iterations);
        Assert.AreEqual(decodeIterations, r.VerifySteps);
        Assert.AreEqual(40, r.VerifiedTokens);
        Assert.AreEqual(40, r.InterTokenGapsSec.Count, "one gap per token after the first");
        Assert.IsTrue(r.Requests[0].Completed);
    }

    [TestMethod]
    public void NearOneAcceptance_CapsTheLastStepAtTheTokensStillNeeded()
    {
        // 1 + 6 tokens with k = 4: steps of 5 then 1 (capped), never past the request's output.
        var r = Simulator(Spec("fp16", 4, 0.999999)).Run(ServingKit.Trace((0, 64, 7)));
        Assert.AreEqual(2, r.VerifySteps);
        Assert.AreEqual(6, r.VerifiedTokens);
    }

    [TestMethod]
    [DataRow("fp16", null)]
    [DataRow("xquant-gqa:4", "llama-3.2-1b")]
    [DataRow("kivi:2", "mtp")]
    public void UniformDecodeIteration_IsTheLedgersVerifyStepPlusTheDraftSteps(string scheme, string? draft)
    {
        // B identical requests, output 2, a = 0: iteration 1 prefills all, iteration 2 is one verify step of the whole
        // batch at context L (+ k draft steps), so TPOT = that iteration = SpecStep.Cost at batch B, context L.
        const int B = 16, L = 500;
        var w = Spec(scheme, 3, 0.0, draft);
        var rows = Enumerable.Range(0, B).Select(_ => (0.0, L, 2)).ToArray();
        var r = Simulator(w).Run(ServingKit.Trace(rows));
        Assert.AreEqual(2, r.Iterations);
        var step = SpecStep.Cost(w with { Batch = B, ContextTokens = L, Phase = Phase.Decode });
        double byHand = step.Verify.OverlappedSec + step.DraftOverlappedSec;
        foreach (var q in r.Requests)
        {
            ServingKit.Near(byHand, q.TpotSec, 1e-9, $"{scheme} draft={draft}");
        }
        ServingKit.Near(step.DraftOverlappedSec, r.DraftSec, 1e-9, "draft seconds");
        if (draft is null)
        {
            Assert.AreEqual(0, r.DraftSec);
        }
    }

    [TestMethod]
    public void VerifyVector_UnderTp2_IsTheRanksVerifyLedger()
    {
        var h100 = ServingKit.H100.Value;
        var w = Spec("fp16", 2, 0.7) with { Parallel = new ParallelPlan(2, 1, Link.From(h100.Interconnect)) };
        var coster = new IterationCoster(w);
        var acc = coster.NewAccumulator();
        for (int i = 0; i < 8; i++)
        {
            IterationCoster.Add(acc, coster.Verify(700));
        }
        ServingKit.Near(Roofline.Step(w with { Batch = 8, ContextTokens = 700 }).OverlappedSec, coster.TimeSec(acc), 1e-9);
    }

    [TestMethod]
    public void Pool_DraftModel_ByHand()
    {
        // Draft llama-3.2-1b: FP16 K and V of 16 layers x 8 KV heads x 64 = 32,768 bytes per token; its bf16 weights
        // come out of the pool.
        var w = Spec("fp16", 3, 0.7, "llama-3.2-1b");
        var plain = PoolPlan.For(ServingKit.Template("fp16"), 16, 8192);
        var pool = PoolPlan.For(w, 16, 8192);
        var draft = w.Speculation!.DraftModel!;
        double draftPerToken = 2.0 * draft.Layers * draft.KvHeads * draft.HeadDim * 2;
        Assert.AreEqual(32768, draftPerToken);
        Assert.AreEqual(draftPerToken, pool.DraftBytesPerToken);
        Assert.AreEqual(draft.TotalParams * 2.0, pool.DraftWeightBytes);
        Assert.AreEqual(plain.BytesPerToken + draftPerToken, pool.BytesPerToken);
        long blocks = (long)Math.Floor((plain.DeviceBytes - plain.ReserveBytes - plain.WeightBytes - pool.DraftWeightBytes - plain.ActivationBytes) / (16 * (plain.BytesPerToken + draftPerToken)));
        Assert.AreEqual(blocks, pool.TotalBlocks);
        var mtp = PoolPlan.For(Spec("fp16", 3, 0.7, "mtp"), 16, 8192);
        var m = ServingKit.Llama8b.Value;
        // Llama-3.1-8B's MTP module by hand: one dense layer (attention 2 x 4096 x 4096 + 2 x 4096 x 1024, FFN 3 x 4096 x
        // 14336, two norms of 4096) + eh_proj 2 x 4096 x 4096 + two norms of 4096, BF16.
        double layer = 2.0 * 4096 * 4096 + 2.0 * 4096 * 1024 + 3.0 * 4096 * 14336 + 2 * 4096;
        Assert.AreEqual((layer + 2.0 * 4096 * 4096) * 2 + 4.0 * 4096, mtp.DraftWeightBytes, 1.0, "the MTP module's own layer, not the shared embedding and head");
        Assert.AreEqual(2.0 * m.KvHeads * m.HeadDim * 2, mtp.DraftBytesPerToken, "one layer of FP16 K and V");
    }

    [TestMethod]
    public void VerifyStep_ReservesKSlots_ByHand()
    {
        // Input 95, output 2, block 16: plain decode holds 96 tokens (6 blocks); a k = 3 verify step holds 95 + 1 + 3 = 99
        // (7 blocks). A pool of exactly 6 blocks runs the plain request and skips the speculative one.
        var plain = ServingKit.Simulator(ServingKit.Template("fp16"), Config).Run(ServingKit.Trace((0, 95, 2)));
        var spec = Simulator(Spec("fp16", 3, 0.5)).Run(ServingKit.Trace((0, 95, 2)));
        Assert.AreEqual(6, plain.MaxUsedBlocks);
        Assert.AreEqual(7, spec.MaxUsedBlocks);
        var six = Simulator(Spec("fp16", 3, 0.5), p => p with { TotalBlocks = 6 }).Run(ServingKit.Trace((0, 95, 2)));
        Assert.IsTrue(six.Requests[0].Skipped, "95 + 2 - 1 + k tokens cannot fit 6 blocks");
        var plainSix = ServingKit.Simulator(ServingKit.Template("fp16"), Config, p => p with { TotalBlocks = 6 }).Run(ServingKit.Trace((0, 95, 2)));
        Assert.IsTrue(plainSix.Requests[0].Completed);
    }

    [TestMethod]
    public void SameRun_SameResult_AndTheMeasuredMeanIsNearE()
    {
        var arrivals = new ArrivalSpec(ArrivalKind.Offline, 64, new LengthSpec(128, 256), new LengthSpec(64, 128), 5);
        var w = Spec("fp16", 3, 0.7);
        var a = Simulator(w).Run(arrivals);
        var b = Simulator(w).Run(arrivals);
        CollectionAssert.AreEqual(a.Requests.ToList(), b.Requests.ToList());
        Assert.AreEqual(a.VerifiedTokens, b.VerifiedTokens);
        // Capped last steps pull the mean a little under E = 2.533.
        Assert.AreEqual(w.Speculation!.ExpectedTokensPerStep, a.TokensPerVerifyStep, 0.1);
    }
}
