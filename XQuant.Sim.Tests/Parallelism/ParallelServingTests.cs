using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Parallelism;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Studies.Serving;
using XQuant.Sim.Tests.Serving;
using static XQuant.Sim.Tests.TestCli;

namespace XQuant.Sim.Tests.Parallelism;

/// <summary>xqsim simulate on a tensor/pipeline-parallel deployment: iteration time, the per-device pool, the CLI.</summary>
[TestClass]
public sealed class ParallelServingTests
{
    private static Workload On(string model, string hardware, string scheme, int tp, int pp, int micro = 0)
    {
        var hw = TestData.Hardware(hardware);
        return new Workload(TestData.Model(model), hw, TestData.Scheme(scheme), WeightPrecision.Bf16, 1, 1,
            Parallel: new ParallelPlan(tp, pp, Link.From(hw.Interconnect), micro));
    }

    [TestMethod]
    [DataRow("fp16", 2, 1, true)]
    [DataRow("kivi:2", 4, 1, true)]
    [DataRow("xquant:4,tp=tokens", 2, 1, true)]
    [DataRow("xquant-gqa:2,svd=per-rank", 2, 1, false)]
    [DataRow("fp16", 1, 2, true)]
    [DataRow("kivi:2", 2, 2, false)]
    public void UniformBatch_EqualsTheRanksLedgerAtThatBatch(string scheme, int tp, int pp, bool overlapped)
    {
        // One micro-batch: the iteration is the rank's ledger at batch B, communication included (one collective per
        // layer over every sequence's tokens, not one per sequence).
        var w = On("llama-3.1-8b", "h100-sxm", scheme, tp, pp, micro: 1);
        var coster = new IterationCoster(w, overlapped);
        Assert.AreEqual(1, coster.MicroBatches);
        ServingKit.UniformBatchesAreTheLedger(w, coster, overlapped, (1, 1000), (8, 300), (64, 1000));
    }

    [TestMethod]
    public void LinkTime_ByHand_LatencyOncePerIteration_BytesPerSequence()
    {
        // Llama-3.1-8B, TP 2 on the H100 SXM's NVLink 4: 900e9 bidirectional -> 450e9 per direction, alpha 1 us
        // (the default). Eight decode sequences: 32 layers x 2 all-reduces + the embedding all-reduce of 8 x 4096 BF16
        // activations, each 2 (p-1) alpha + 2 (p-1)/p x bytes / B = 2e-6 + 65536 / 450e9 s; and the all-gather of the
        // FP32 logits, (p-1) alpha + (p-1)/p x 8 x 128256 x 4 / B = 1e-6 + 2052096 / 450e9 s.
        var w = On("llama-3.1-8b", "h100-sxm", "fp16", 2, 1);
        var coster = new IterationCoster(w);
        var acc = coster.NewAccumulator();
        for (int i = 0; i < 8; i++)
        {
            IterationCoster.Add(acc, coster.Decode(500));
        }
        double allReduce = 2e-6 + 65536 / 450e9;
        double gather = 1e-6 + 2052096 / 450e9;
        ServingKit.Near(65 * allReduce + gather, coster.Time(acc).LinkSec, 1e-12);
        // One device: no link time, and the iteration is what it was.
        var single = new IterationCoster(ServingKit.Template("fp16"));
        var one = single.NewAccumulator();
        IterationCoster.Add(one, single.Decode(500));
        Assert.AreEqual(0.0, single.Time(one).LinkSec);
        Assert.AreEqual(ServingKit.Step(ServingKit.Template("fp16"), 1, 500, Phase.Decode), single.TimeSec(one));
    }

    [TestMethod]
    public void PipelinedStep_WithEqualMicroBatches_IsThePipelineThroughputStep()
    {
        // PP 2, two micro-batches of 4 sequences: (M + PP - 1) x T(4) / PP, PipelineThroughput's step at batch 8.
        var w = On("llama-3.1-8b", "h100-sxm", "fp16", 1, 2, micro: 2);
        var coster = new IterationCoster(w);
        Assert.AreEqual(2, coster.Stages);
        Assert.AreEqual(2, coster.MicroBatches);
        var half = coster.NewAccumulator();
        for (int i = 0; i < 4; i++)
        {
            IterationCoster.Add(half, coster.Decode(1000));
        }
        ServingKit.Near(PipelineThroughput.Of(w with { Batch = 8, ContextTokens = 1000 }).StepSec, coster.PipelinedSec([half, half]), 1e-9);
        // Unequal micro-batches: sum T_j / PP + (PP - 1) max T_j / PP; one micro-batch is the sum over stages.
        var one = coster.NewAccumulator();
        IterationCoster.Add(one, coster.Decode(1000));
        double t4 = coster.TimeSec(half), t1 = coster.TimeSec(one);
        ServingKit.Near((t4 + t1 + t4) / 2, coster.PipelinedSec([half, one]), 1e-12);
        ServingKit.Near(t1, coster.PipelinedSec([one]), 1e-12);
    }

    [TestMethod]
    public void Pool_Tp2_ByHand()
    {
        // Llama-2-7B (d 4096, 32 layers, 32 heads of 128, FFN 11008, vocabulary 32000), FP16 cache, TP 2 on one
        // H100 SXM (80e9 B, 10% reserve):
        // rank weights: per layer q,k,v,o 4 x 4096 x 2048 + FFN 3 x 4096 x 5504 + norms 2 x 4096 = 101,195,776;
        //   x 32 = 3,238,264,832; + embedding and LM head 2 x 16000 x 4096 + final norm 4096 = 3,369,340,928 params
        //   x 2 B = 6,738,681,856 B.
        // activations (vLLM's profiling run, 8192 tokens of the rank's working set): (4 x 4096 + 2048 + 2 x 2048
        //   + 3 x 5504) x 2 + 16000 x 4 = 142,080 B per token -> 1,163,919,360 B.
        // free = 72e9 - 6,738,681,856 - 1,163,919,360 = 64,097,398,784 B.
        // cache: K and V of 16 heads x 128 x 2 B x 32 layers = 262,144 B per token; a 16-token block 4,194,304 B;
        //   floor(64,097,398,784 / 4,194,304) = 15,282 blocks.
        var pool = PoolPlan.For(On("llama-2-7b", "h100-sxm", "fp16", 2, 1), 16, 8192);
        Assert.AreEqual(6_738_681_856.0, pool.WeightBytes);
        Assert.AreEqual(1_163_919_360.0, pool.ActivationBytes);
        Assert.AreEqual(262_144.0, pool.BytesPerToken);
        Assert.AreEqual(4_194_304.0, pool.BlockBytes);
        Assert.AreEqual(15_282L, pool.TotalBlocks);
    }

    [TestMethod]
    public void Pool_TpTokens_HoldsHalfOfEachBlock()
    {
        // tp=tokens caches ceil(16 / 2) = 8 of a block's tokens per rank, each the whole (replicated-width) X row:
        // half the block of tp=heads, which keeps every token's X on every rank.
        var heads = PoolPlan.For(On("llama-2-7b", "h100-sxm", "xquant:2", 2, 1), 16, 8192);
        var tokens = PoolPlan.For(On("llama-2-7b", "h100-sxm", "xquant:2,tp=tokens", 2, 1), 16, 8192);
        Assert.AreEqual(heads.BlockBytes / 2, tokens.BlockBytes);
        Assert.AreEqual(heads.BytesPerToken / 2, tokens.BytesPerToken);
        Assert.IsTrue(tokens.WeightBytes > heads.WeightBytes, "tp=tokens holds full Wk and Wv on every rank");
    }

    [TestMethod]
    public void Pool_TpTokens_ShrinksTheLocalLayersWithTheRest()
    {
        // gemma-2-9b alternates local and global layers: under tp=tokens the local layers' bytes per token shrink with
        // the same share as the whole, so the window's share of a block is the single-device one.
        var heads = PoolPlan.For(On("gemma-2-9b", "h100-sxm", "xquant:2", 2, 1), 16, 8192);
        var tokens = PoolPlan.For(On("gemma-2-9b", "h100-sxm", "xquant:2,tp=tokens", 2, 1), 16, 8192);
        Assert.IsGreaterThan(0, heads.LocalBytesPerToken);
        Assert.AreEqual(heads.BytesPerToken / 2, tokens.BytesPerToken, 1e-9);
        Assert.AreEqual(heads.LocalBytesPerToken / 2, tokens.LocalBytesPerToken, 1e-9);
    }

    [TestMethod]
    public void CostAndEnergy_CountEveryDevice()
    {
        // 1000 output tokens/s, busy half the time: every figure of one device, eight times.
        var s = new ServingSummary(10, 10, 0, 10, 1, 1000, 1000, 0, 0, default, default, default, default, 0, 0, 0.5, 0, 0);
        var one = CostEnergy.Of(s, 2.0, "test", 700, 100);
        var eight = CostEnergy.Of(s, 2.0, "test", 700, 100, devices: 8);
        ServingKit.Near(8 * one.DollarsPerMillionOutputTokens!.Value, eight.DollarsPerMillionOutputTokens!.Value, 1e-12);
        ServingKit.Near(8 * one.JoulesPerOutputToken!.Value, eight.JoulesPerOutputToken!.Value, 1e-12);
    }

    [TestMethod]
    public void Simulate_TpOneAndPpOne_WritesTheSameFilesAsWithout()
    {
        using var dir = new TempDir();
        string[] common = ["simulate", "-H", "h100-sxm", "-m", "llama-3.1-8b", "-s", "fp16,kivi:2", "--rate", "4", "-n", "30", "--input", "200", "--output", "8", "--charts", "none", "--price", "3", "--idle-watts", "100"];
        string a = Path.Combine(dir.Path, "a"), b = Path.Combine(dir.Path, "b");
        var (c1, o1, e1) = Run([.. common, "-o", a]);
        var (c2, o2, e2) = Run([.. common, "--tp", "1", "--pp", "1", "-o", b]);
        Assert.AreEqual(0, c1, e1);
        Assert.AreEqual(0, c2, e2);
        Assert.AreEqual(o1.Replace(a, b, StringComparison.Ordinal), o2);
        foreach (string f in new[] { "requests.csv", "summary.csv", "summary.md" })
        {
            Assert.AreEqual(File.ReadAllText(Path.Combine(a, f)), File.ReadAllText(Path.Combine(b, f)), f);
        }
        Assert.IsFalse(o1.Contains("Deployment:", StringComparison.Ordinal));
    }

    [TestMethod]
    public void Simulate_Tp2_NamesTheDeployment_AndPricesBothDevices()
    {
        using var dir = new TempDir();
        string outDir = Path.Combine(dir.Path, "o");
        var (code, output, err) = Run("simulate", "-H", "h100-sxm", "-m", "llama-3.1-8b", "--tp", "2", "--rate", "4", "-n", "30", "--input", "200", "--output", "8", "--charts", "none", "--price", "3", "-o", outDir);
        Assert.AreEqual(0, code, err);
        StringAssert.Contains(output, "Deployment: TP 2 x PP 1 = 2 devices over NVLink 4");
        StringAssert.Contains(output, "Price: 3.000 USD per device-hour (given with --price) x 2 devices.");
        StringAssert.Contains(File.ReadAllText(Path.Combine(outDir, "summary.md")), "Deployment: TP 2 x PP 1");
        var (jc, json, je) = Run("simulate", "-H", "h100-sxm", "-m", "llama-3.1-8b", "--tp", "2", "--rate", "4", "-n", "10", "--input", "100", "--output", "4", "--json");
        Assert.AreEqual(0, jc, je);
        StringAssert.Contains(json, "\"deployment\"");
        StringAssert.Contains(json, "\"devices\": 2");
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var errors = Explore.MiniSchema.Validate(Path.Combine(TestPaths.RepoRoot, "schemas", "simulate.schema.json"), doc.RootElement);
        Assert.IsEmpty(errors, string.Join("\n", errors.Take(10)));
    }

    [TestMethod]
    public void Simulate_OnANode_TakesItsDevicesPublishedPrice_TimesTheDevices()
    {
        // dgx-h100 has no row in data/prices.csv; its device h100-sxm has (Lambda's on-demand 1x H100 SXM).
        var (code, output, err) = Run("simulate", "-H", "dgx-h100", "-m", "llama-3.1-8b", "--tp", "8", "--rate", "4", "-n", "10", "--input", "100", "--output", "4", "--charts", "none", "--json");
        Assert.AreEqual(0, code, err);
        StringAssert.Contains(output, "\"price_source\"");
        StringAssert.Contains(output, "H100 SXM");
        StringAssert.Contains(output, "\"devices\": 8");
    }

    [TestMethod]
    [DataRow(new[] { "--tp", "3" }, "--tp: 3 does not divide the 32 attention heads of llama-3.1-8b")]
    [DataRow(new[] { "--tp", "2" }, "--tp: rtx-4090 has no interconnect block", "rtx-4090")]
    [DataRow(new[] { "--pp", "33" }, "--pp: 33 stages are more than the 32 layers of llama-3.1-8b")]
    [DataRow(new[] { "--micro-batches", "-1", "--pp", "2" }, "--micro-batches: -1 must be from 0")]
    public void Simulate_BadPlan_ExitsTwo_OneLine_NothingWritten(string[] plan, string expected, string hardware = "h100-sxm")
    {
        using var dir = new TempDir();
        string outDir = Path.Combine(dir.Path, "o");
        var (code, output, err) = Run(["simulate", "-H", hardware, "-m", "llama-3.1-8b", "--rate", "4", "-n", "10", "-o", outDir, .. plan]);
        Assert.AreEqual(2, code, err);
        StringAssert.Contains(err, expected);
        Assert.AreEqual(1, err.Trim().Split('\n').Length, err);
        Assert.AreEqual("", output);
        Assert.IsFalse(Directory.Exists(outDir));
    }

    [TestMethod]
    public void Scenario_ServingWithTp_RunsOnTheDeployment()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "s.json");
        File.WriteAllText(path, """
            { "name": "s", "models": ["llama-3.1-8b"], "hardware": ["h100-sxm"], "schemes": ["fp16"], "batch": [1], "context": [1024],
              "outputs": ["csv"], "tp": 2, "serving": { "input_tokens": 256, "output_tokens": 8, "requests": 20, "rates": [4] } }
            """);
        string outDir = Path.Combine(dir.Path, "out");
        var (code, stdout, err) = Run("run", path, "-o", outDir);
        Assert.AreEqual(0, code, err);
        StringAssert.Contains(stdout, "serving: llama-3.1-8b on h100-sxm (TP 2 x PP 1), bf16 weights");
        string md = File.ReadAllText(Path.Combine(outDir, "serving", "llama-3.1-8b-h100-sxm-bf16", "summary.md"));
        StringAssert.Contains(md, "Deployment: TP 2 x PP 1 = 2 devices");
    }
}
