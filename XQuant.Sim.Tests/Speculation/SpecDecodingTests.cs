using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Parallelism;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Tests.Speculation;

[TestClass]
public sealed class SpecDecodingTests
{
    private static OpCost Op(IReadOnlyList<OpCost> ops, string name) =>
        ops.SingleOrDefault(o => o.Name == name) ?? throw new AssertFailedException($"no op {name} in {string.Join(", ", ops.Select(o => o.Name))}");

    private static Workload Spec(Workload w, int k, double a, SpecDrafter drafter = SpecDrafter.Free, ModelConfig? draft = null) =>
        w with { Speculation = new SpecDecoding(k, a, drafter, draft) };

    private static void AssertSameLedger(Workload plain, Workload spec)
    {
        var a = Ledger.Build(plain);
        var b = Ledger.Build(spec);
        CollectionAssert.AreEqual(a.Select(o => o.Name).ToList(), b.Select(o => o.Name).ToList(), plain.Scheme.Spec);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.AreEqual(a[i].Flops, b[i].Flops, 0.0, $"{plain.Model.Id} {plain.Scheme.Spec} {a[i].Name} FLOPs");
            Assert.AreEqual(a[i].DramBytes, b[i].DramBytes, 0.0, $"{a[i].Name} DRAM bytes");
            Assert.AreEqual(a[i].OnChipBytes, b[i].OnChipBytes, 0.0, $"{a[i].Name} on-chip bytes");
            Assert.AreEqual(a[i].LaunchCount, b[i].LaunchCount, 0.0, $"{a[i].Name} launches");
            Assert.AreEqual(a[i].LinkSec, b[i].LinkSec, 0.0, $"{a[i].Name} link");
            foreach (var c in TensorClasses.All)
            {
                Assert.AreEqual(a[i].Bytes(c), b[i].Bytes(c), 0.0, $"{a[i].Name} {c.Name()}");
            }
        }
        var plainCase = CaseCoster.Cost(plain);
        var specCase = CaseCoster.Cost(spec);
        Assert.AreEqual(plainCase.Step.OverlappedSec, specCase.Speculation!.PerTokenOverlappedSec, 0.0);
        Assert.AreEqual(plainCase.Step.SerialSec, specCase.Speculation.PerTokenSerialSec, 0.0);
        Assert.AreEqual(plainCase.TokensPerSecOverlapped, specCase.TokensPerSecOverlapped, 0.0);
        Assert.AreEqual(plainCase.TokensPerSecAtMaxBatch, specCase.TokensPerSecAtMaxBatch, 0.0);
        Assert.AreEqual(0, specCase.Speculation.DraftSteps.Count);
    }

    [TestMethod]
    public void ExpectedTokens_MatchesClosedForm()
    {
        Assert.AreEqual(1.0, SpecDecoding.ExpectedTokens(0, 0.7));
        Assert.AreEqual(1.0, SpecDecoding.ExpectedTokens(5, 0));
        Assert.AreEqual(1 + 0.7 + 0.49 + 0.343 + 0.2401, SpecDecoding.ExpectedTokens(4, 0.7), 1e-12);
        foreach (int k in new[] { 1, 2, 4, 7, 16 })
        {
            foreach (double a in new[] { 0.1, 0.5, 0.7, 0.9, 0.99 })
            {
                Assert.AreEqual((1 - Math.Pow(a, k + 1)) / (1 - a), SpecDecoding.ExpectedTokens(k, a), 1e-12, $"k={k} a={a}");
            }
        }
        Assert.AreEqual(2.7731, new SpecDecoding(4, 0.7).ExpectedTokensPerStep, 1e-12);
    }

    [TestMethod]
    public void KZero_EqualsPlainDecode_ToTheDigit()
    {
        var h100 = TestData.Hardware("h100-sxm");
        var rngd = TestData.Hardware("rngd");
        var llama = TestData.Model("llama-3.1-8b");
        foreach (string s in new[] { "fp16", "kivi:2", "xquant:4", "xquant-cl:3", "xquant-gqa:4", "xquant-cl-gqa:3", "fp8", "nvfp4", "xquant:4,remat=unfused", "xquant:4,remat=vabsorb" })
        {
            foreach (var hw in new[] { h100, rngd })
            {
                var plain = TestData.Decode(llama, hw, s, 8, 12345);
                AssertSameLedger(plain, Spec(plain, 0, 0.7));
                AssertSameLedger(plain, Spec(plain, 0, 0.3, SpecDrafter.Mtp));
            }
        }
        foreach (var (model, scheme) in new[] { ("deepseek-v2-lite-chat", "mla"), ("deepseek-v2-lite-chat", "mla:4"), ("qwen3-30b-a3b", "xquant-gqa:4"), ("mistral-7b-v0.1", "xquant:4"), ("mixtral-8x7b", "kivi:4") })
        {
            var plain = TestData.Decode(TestData.Model(model), h100, scheme, 3, 9000);
            AssertSameLedger(plain, Spec(plain, 0, 0.5));
        }
        // Tensor parallelism, tp=tokens included.
        var tp = TestData.Decode(llama, h100, "xquant:4,tp=tokens", 4, 4096) with { Parallel = new ParallelPlan(2, 1, Link.From(h100.Interconnect)) };
        AssertSameLedger(tp, Spec(tp, 0, 0.5));
    }

    [TestMethod]
    public void TinyFp16_VerifyLedger_HandComputed()
    {
        // b = 2, l = 10, k = 3: q = 4 queries per sequence, 8 new tokens; pairs per sequence = q l + q (q + 1) / 2 = 50.
        var w = Spec(TestData.Decode(TestData.TinyMha, TestData.Round, "fp16", 2, 10), 3, 0.5);
        var ops = Ledger.Build(w);
        Assert.AreEqual(2 * 8 * 64 * 64 * 2.0, Op(ops, "q_proj").Flops);                 // 2 (b q) d q_dim, 2 layers
        Assert.AreEqual(64 * 64 * 2 * 2.0, Op(ops, "q_proj").Bytes(TensorClass.Weights));   // weights streamed once per step
        Assert.AreEqual(2 * 8 * 64 * 64 * 2.0, Op(ops, "k_proj").Flops);                 // the 8 new tokens' K
        Assert.AreEqual(8 * 2 * 64 * 2 * 2.0, Op(ops, "kv_append").Bytes(TensorClass.KvCacheWritten)); // 8 tokens x (K + V) x d_kv x 2 B x 2 layers
        Assert.AreEqual(2 * 2 * 4 * 16 * 50 * 2.0, Op(ops, "attn_scores").Flops);          // 2 b h d_h pairs
        Assert.AreEqual(2 * 10 * 64 * 2 * 2.0, Op(ops, "attn_scores").Bytes(TensorClass.KvCacheRead)); // cache read once: b l d_kv 2 B
        Assert.AreEqual(8 * 64 * 2 * 2.0, Op(ops, "attn_scores").Bytes(TensorClass.ActivationsRead)); // 8 queries of q_dim
        Assert.AreEqual(5 * 2 * 4 * 50 * 2.0, Op(ops, "softmax").Flops);
        Assert.AreEqual(2 * 8 * 64 * (2 * 128) * 2.0, Op(ops, "ffn_gate_up").Flops);
        Assert.AreEqual(2 * 8 * 64 * 100.0, Op(ops, "lm_head").Flops);                     // logits for every verified token
        Assert.AreEqual(8 * 100 * 4.0, Op(ops, "lm_head").Bytes(TensorClass.ActivationsWritten));
        Assert.AreEqual(8 * 64 * 2.0, Op(ops, "embedding").Bytes(TensorClass.Weights));      // one embedding row per new token
    }

    [TestMethod]
    public void TinyXQuant_RematOncePerStep_HandComputed()
    {
        // b = 1, l = 10, k = 2: remat rebuilds l + q = 13 tokens once; the cache is dequantized once; 3 new X rows are quantized.
        var plain = TestData.Decode(TestData.TinyMha, TestData.Round, "xquant:4", 1, 10);
        var w = Spec(plain, 2, 0.8);
        var ops = Ledger.Build(w);
        var plainOps = Ledger.Build(plain);
        Assert.AreEqual(2 * 13 * 64 * 64 * 2.0, Op(ops, "remat_k").Flops);
        Assert.AreEqual(Op(plainOps, "remat_k").Bytes(TensorClass.Weights), Op(ops, "remat_k").Bytes(TensorClass.Weights));
        Assert.AreEqual(Op(plainOps, "x_dequant").Flops, Op(ops, "x_dequant").Flops);
        Assert.AreEqual(Op(plainOps, "x_dequant").Bytes(TensorClass.XCacheRead), Op(ops, "x_dequant").Bytes(TensorClass.XCacheRead));
        Assert.AreEqual(3 * Op(plainOps, "x_quantize").Flops, Op(ops, "x_quantize").Flops);
        Assert.AreEqual(3 * Op(plainOps, "x_quantize").Bytes(TensorClass.XCacheWritten), Op(ops, "x_quantize").Bytes(TensorClass.XCacheWritten));
        Assert.AreEqual(3 * 13 * 64 * 2.0, Op(ops, "rope_k").Flops);                       // 3 b (l + q) d_kv, 2 layers
        Assert.AreEqual(2 * 4 * 16 * (3 * 10 + 6) * 2.0, Op(ops, "attn_scores").Flops);     // pairs = q l + q (q + 1) / 2 = 36
    }

    [TestMethod]
    public void TinyXQuant_PerTokenTime_IsVerifyPlusDraftOverExpectedTokens()
    {
        var draft = TestData.TinyMha with { Id = "tiny-draft", Layers = 1, HiddenSize = 32, Heads = 2, KvHeads = 2, IntermediateSize = 64 };
        var w = Spec(TestData.Decode(TestData.TinyMha, TestData.Round, "xquant:4", 2, 100), 3, 0.6, SpecDrafter.Model, draft);
        var c = SpecStep.Cost(w);
        Assert.AreEqual(3, c.DraftSteps.Count);
        double draftSec = 0;
        for (int j = 0; j < 3; j++)
        {
            var dw = new Workload(draft, TestData.Round, new Fp16KvScheme(), WeightPrecision.Bf16, 2, 100 + j);
            draftSec += Roofline.Step(dw).OverlappedSec;
        }
        Assert.AreEqual(draftSec, c.DraftOverlappedSec, 1e-18);
        Assert.AreEqual(Roofline.Step(w).OverlappedSec, c.Verify.OverlappedSec);
        double e = 1 + 0.6 + 0.36 + 0.216;
        Assert.AreEqual((c.Verify.OverlappedSec + draftSec) / e, c.PerTokenOverlappedSec, 1e-15);
        Assert.AreEqual(2 / c.PerTokenOverlappedSec, CaseCoster.Cost(w).TokensPerSecOverlapped, 1e-6);
    }

    [TestMethod]
    public void Mtp_DraftStep_IsOneLayerPlusEhProjAndSharedHead()
    {
        var w = Spec(TestData.Decode(TestData.TinyMha, TestData.Round, "fp16", 2, 10), 2, 0.8, SpecDrafter.Mtp);
        var c = SpecStep.Cost(w);
        Assert.AreEqual(2, c.DraftSteps.Count);
        var ops = c.DraftSteps[0].Ops.Select(o => o.Op).ToList();
        Assert.AreEqual(2 * 2 * (2 * 64) * 64.0, Op(ops, "mtp_eh_proj").Flops);          // 2 b (2d) d
        Assert.AreEqual(64 * 64 * 2.0, Op(ops, "q_proj").Bytes(TensorClass.Weights));       // one decoder layer
        Assert.AreEqual(64 * 100 * 2.0, Op(ops, "lm_head").Bytes(TensorClass.Weights));     // the shared head is streamed again
        Assert.AreEqual(2 * 2 * 64 * 100.0, Op(ops, "lm_head").Flops);                      // one token per sequence per draft step
        Assert.AreEqual(2 * 2 * 4 * 16 * 11.0, Op(ops, "attn_scores").Flops);               // draft step 0 at l = 10: l + 1 keys
        Assert.AreEqual(2 * 2 * 4 * 16 * 12.0, Op(c.DraftSteps[1].Ops.Select(o => o.Op).ToList(), "attn_scores").Flops);
    }

    [TestMethod]
    public void MtpOnCrossLayerScheme_FallsBackToFp16OnItsOneLayer()
    {
        var w = Spec(TestData.Decode(TestData.Model("llama-3.2-1b"), TestData.Round, "xquant-cl:3", 1, 10), 1, 0.8, SpecDrafter.Mtp);
        var mtp = SpecStep.MtpModel(w.Model);
        Assert.AreEqual("fp16", SpecStep.DraftScheme(w, mtp, mtp: true).Spec);
        var x = w with { Scheme = TestData.Scheme("xquant:4") };
        Assert.AreEqual("xquant:4", SpecStep.DraftScheme(x, mtp, mtp: true).Spec);
        Assert.AreEqual(1, SpecStep.Cost(w).DraftSteps.Count);
    }

    [TestMethod]
    public void BreakEven_UnderSpeculation_UsesPerTokenTimes()
    {
        var hw = TestData.Hardware("h100-sxm");
        var m = TestData.Model("llama-3.1-8b");
        var plain = TestData.Decode(m, hw, "xquant:4", 1, 4096);
        var r0 = BreakEven.Analyze(Spec(plain, 0, 0.7), Spec(plain, 0, 0.7) with { Scheme = TestData.Scheme("kivi:4") });
        var rp = BreakEven.Analyze(plain, plain with { Scheme = TestData.Scheme("kivi:4") });
        Assert.AreEqual(rp.HideContextTokens, r0.HideContextTokens);
        CollectionAssert.AreEqual(rp.Crossovers.ToList(), r0.Crossovers.ToList());
        // More queries per step raise the step's compute with the same remat: remat hides to a shorter context.
        var r4 = BreakEven.Analyze(Spec(plain, 4, 0.7), Spec(plain, 4, 0.7) with { Scheme = TestData.Scheme("kivi:4") });
        Assert.IsTrue(r4.HideContextTokens < rp.HideContextTokens, $"{r4.HideContextTokens} vs {rp.HideContextTokens}");
        Assert.IsNotNull(r4.SpecCrossovers);
        Assert.IsNull(rp.SpecCrossovers);
    }

    [TestMethod]
    public void Cli_BadSpec_OneLineEach_Exit2()
    {
        foreach (var (spec, expect) in new[]
        {
            ("k=-1,accept=0.5", "k='-1'"),
            ("k=4,accept=1", "accept='1'"),
            ("k=4,accept=-0.1", "accept='-0.1'"),
            ("k=4,accept=0.7,draft=no-such-model", "model 'no-such-model' not found"),
            ("k=4,accept=0.7,speed=2", "'speed=2' is not a spec option"),
            ("accept=0.7", "k is required"),
            ("k=2.5,accept=0.7", "k='2.5'"),
        })
        {
            var (code, o, e) = TestCli.Run("ledger", "-H", "h100-sxm", "-m", "llama-3.1-8b", "--spec", spec);
            Assert.AreEqual(2, code, spec);
            Assert.AreEqual("", o, spec);
            var lines = e.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.AreEqual(1, lines.Length, e);
            StringAssert.Contains(lines[0], "--spec", e);
            StringAssert.Contains(lines[0], expect, e);
        }
        var (c2, _, e2) = TestCli.Run("ledger", "-H", "h100-sxm", "-m", "llama-3.1-8b", "--spec", "k=4,accept=0.7,draft=qwen3-8b");
        Assert.AreEqual(2, c2);
        StringAssert.Contains(e2, "tokenizer");
    }

    [TestMethod]
    public void Cli_LedgerWithKZero_PrintsThePlainLedger()
    {
        var (c0, plain, _) = TestCli.Run("ledger", "-H", "rngd", "-m", "llama-3.1-8b", "--scheme", "xquant-gqa:4", "-c", "16k");
        var (c1, spec, _) = TestCli.Run("ledger", "-H", "rngd", "-m", "llama-3.1-8b", "--scheme", "xquant-gqa:4", "-c", "16k", "--spec", "k=0,accept=0.7");
        Assert.AreEqual(0, c0);
        Assert.AreEqual(0, c1);
        string Table(string s) => s[..s.IndexOf("decode:", StringComparison.Ordinal)];
        string plainTable = Table(plain);
        Assert.IsTrue(spec.StartsWith(plainTable[..plainTable.IndexOf("step time, overlapped", StringComparison.Ordinal)], StringComparison.Ordinal));
        StringAssert.Contains(spec, "expected tokens per step E = (1 - a^(k+1)) / (1 - a) = 1");
    }
}
