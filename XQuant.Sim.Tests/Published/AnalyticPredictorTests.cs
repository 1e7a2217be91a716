using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Domain.Schemes;
using XQuant.Sim.Studies.Published;
using static XQuant.Sim.Tests.Published.PublishedTestRows;

namespace XQuant.Sim.Tests.Published;

[TestClass]
public sealed class AnalyticPredictorTests
{
    private static readonly EngineEfficiency Slow = new("t", null, 0.5, 0.25, 1e-3, 1e-4);

    /// <summary>Serial roofline step time of the tiny model on the round profile, derated by <paramref name="e"/>, from the ledger itself.</summary>
    private static double Step(EngineEfficiency e, double batch, double context, Phase phase) =>
        Roofline.Step(new Workload(TestData.TinyMha, e.Derate(TestData.Round), TestData.Scheme("fp16"), WeightPrecision.Bf16, batch, context, phase)).SerialSec;

    [TestMethod]
    public void StepWork_IsTheRooflineOfTheDeratedProfile()
    {
        var w = TestData.Decode(TestData.TinyMha, TestData.Round, "fp16", 3, 40);
        var work = StepWork.From(w);
        Assert.AreEqual(Roofline.Step(w).SerialSec, work.TimeSec(EngineEfficiency.Datasheet), 1e-18);
        Assert.AreEqual(Roofline.Step(w with { Hardware = Slow.Derate(TestData.Round) }).SerialSec, work.TimeSec(Slow), 1e-18);
    }

    [TestMethod]
    public void StatedBitsPerWeight_ScaleTheWeightTraffic()
    {
        // Batch-1 decode of Llama-2-7B is the weight stream: twice the bytes per weight, nearly twice the time.
        var w = new Workload(TestData.Model("llama-2-7b"), TestData.Hardware("a100-sxm-80gb"), TestData.Scheme("fp16"), WeightPrecision.Int4, 1, 100);
        double one = StepWork.From(w).TimeSec(EngineEfficiency.Datasheet);
        double ratio = StepWork.From(w, 2.0).TimeSec(EngineEfficiency.Datasheet) / one;
        Assert.IsTrue(ratio > 1.95 && ratio < 2.0, $"{ratio}");
        var row = Row(PublishedMode.FixedBatch, PublishedMetric.TpotMs, batch: 1) with { Hardware = "a100-sxm-80gb", Model = "llama-2-7b", Weights = "q4_k_m", WeightBits = 4.85 };
        var resolved = PublishedResolver.Resolve(row, new[] { TestData.Hardware("a100-sxm-80gb") }.ToDictionary(h => h.Id), new[] { TestData.Model("llama-2-7b") }.ToDictionary(m => m.Id));
        // An integer block format's stated width is the format's own (#16: int4,bits=B): traffic and capacity alike, no scaling.
        Assert.AreEqual(new WeightPrecision(WeightFormat.Int4, 4.85), resolved.Case!.Weights);
        Assert.AreEqual(1.0, resolved.Case.WeightBytesScale);
        Assert.AreEqual(4.85 / 8, resolved.Case.Weights.BytesPerWeight(), 1e-15);
    }

    [TestMethod]
    public void FixedBatch_IsOnePrefillThenOneDecodeStepPerTokenAtItsContext()
    {
        // batch 4, prompt 8, 5 output tokens: prefill (8 tokens) yields token 1; decode steps at contexts 8, 9, 10, 11.
        var c = Case(Row(PublishedMode.FixedBatch, PublishedMetric.E2eSec, batch: 4, input: 8, output: 5));
        double overhead = Slow.StepOverheadSec + 2 * Slow.LayerOverheadSec;
        double prefill = Step(Slow, 4, 8, Phase.Prefill) + overhead;
        double decode = Step(Slow, 4, 8, Phase.Decode) + Step(Slow, 4, 9, Phase.Decode) + Step(Slow, 4, 10, Phase.Decode) + Step(Slow, 4, 11, Phase.Decode) + 4 * overhead;
        Assert.AreEqual(prefill + decode, Predict(c, Slow), 1e-15);
        Assert.AreEqual(4 * 5 / (prefill + decode), Predict(c with { Row = c.Row with { Metric = PublishedMetric.OutputTokPerSec } }, Slow), 1e-6);
        Assert.AreEqual(1000 * decode / 4, Predict(c with { Row = c.Row with { Metric = PublishedMetric.TpotMs } }, Slow), 1e-12);
        Assert.AreEqual(4 / decode, Predict(c with { Row = c.Row with { Metric = PublishedMetric.DecodeTokPerSecPerUser } }, Slow), 1e-9);
        Assert.AreEqual(1000 * prefill, Predict(c with { Row = c.Row with { Metric = PublishedMetric.TtftMs } }, Slow), 1e-12);
    }

    [TestMethod]
    public void FixedBatch_WithoutPrompt_DecodesEveryTokenFromContextZero()
    {
        var c = Case(Row(PublishedMode.FixedBatch, PublishedMetric.DecodeTokPerSecPerUser, batch: 1, input: 0, output: 3));
        double decode = Step(Slow, 1, 0, Phase.Decode) + Step(Slow, 1, 1, Phase.Decode) + Step(Slow, 1, 2, Phase.Decode) + 3 * (1e-3 + 2e-4);
        Assert.AreEqual(3 / decode, Predict(c, Slow), 1e-9);
    }

    [TestMethod]
    public void PerDeviceMetrics_DivideByTheDevices()
    {
        var one = Case(Row(PublishedMode.FixedBatch, PublishedMetric.OutputTokPerSec, batch: 2));
        var perDevice = Case(Row(PublishedMode.FixedBatch, PublishedMetric.OutputTokPerSecPerDevice, batch: 2, devices: 2));
        Assert.AreEqual(Predict(one, Slow) / 2, Predict(perDevice, Slow), 1e-9);
        var steady = Case(Row(PublishedMode.MaxThroughput, PublishedMetric.OutputTokPerSec, input: 16, output: 16));
        var steadyPerDevice = Case(Row(PublishedMode.MaxThroughput, PublishedMetric.OutputTokPerSecPerDevice, input: 16, output: 16, devices: 4));
        Assert.AreEqual(Predict(steady, Slow) / 4, Predict(steadyPerDevice, Slow), 1e-9);
    }

    [TestMethod]
    public void MaxThroughput_RunsAsManyAsFitAtTheMeanContext_WithPrefillAmortizedIntoEachIteration()
    {
        // 32 prompt and 64 output tokens: mean context 64. The cap (batch column) keeps the hand check small.
        var c = Case(Row(PublishedMode.MaxThroughput, PublishedMetric.OutputTokPerSec, batch: 8, input: 32, output: 64));
        double fit = Capacity.Plan(new Workload(TestData.TinyMha, TestData.Round, TestData.Scheme("fp16"), WeightPrecision.Bf16, 1, 64), LayoutCache.Get(TestData.Scheme("fp16"), TestData.TinyMha)).MaxBatchAtContext;
        Assert.IsTrue(fit > 8, "the tiny model fits far more than the cap");
        var hw = Slow.Derate(TestData.Round);
        var decode = Roofline.Step(new Workload(TestData.TinyMha, hw, TestData.Scheme("fp16"), WeightPrecision.Bf16, 8, 64));
        var prefill = Roofline.Step(new Workload(TestData.TinyMha, hw, TestData.Scheme("fp16"), WeightPrecision.Bf16, 8.0 / 64, 32, Phase.Prefill));
        // Mixed iteration: per op max(compute, memory) with weights read once; bounded by the two steps apart and together.
        double iteration = 1 / Predict(c, Slow) * 8;
        double overhead = 1e-3 + 2e-4;
        Assert.IsTrue(iteration <= decode.SerialSec + prefill.SerialSec + overhead + 1e-15, "weights are read once per iteration");
        Assert.IsTrue(iteration >= decode.SerialSec + overhead, "the prefill share adds work");
        Assert.AreEqual(1000 * iteration, Predict(c with { Row = c.Row with { Metric = PublishedMetric.TpotMs } }, Slow), 1e-9);
        // Without a cap the running count is what fits.
        var uncapped = Case(Row(PublishedMode.MaxThroughput, PublishedMetric.OutputTokPerSec, input: 32, output: 64));
        Assert.IsTrue(Predict(uncapped, Slow) > Predict(c, Slow));
    }

    [TestMethod]
    public void MaxThroughput_WithoutPrompt_IsTheDecodeStepAtTheMeanContext()
    {
        var c = Case(Row(PublishedMode.MaxThroughput, PublishedMetric.ItlMs, batch: 6, input: 0, output: 20));
        Assert.AreEqual(1000 * (Step(Slow, 6, 10, Phase.Decode) + 1.2e-3), Predict(c, Slow), 1e-9);
    }

    [TestMethod]
    public void Concurrency_One_IsALonePrefillThenDecodeAtTheMeanContext()
    {
        var row = Row(PublishedMode.Concurrency, PublishedMetric.TtftMs, concurrency: 1, input: 20, output: 10);
        double overhead = 1.2e-3;
        double ttft = Step(Slow, 1, 20, Phase.Prefill) + overhead;
        double itl = Step(Slow, 1, 25, Phase.Decode) + overhead;
        Assert.AreEqual(1000 * ttft, Predict(Case(row), Slow), 1e-9);
        Assert.AreEqual(1000 * itl, Predict(Case(row with { Metric = PublishedMetric.ItlMs }), Slow), 1e-9);
        Assert.AreEqual(ttft + 9 * itl, Predict(Case(row with { Metric = PublishedMetric.E2eSec }), Slow), 1e-12);
        Assert.AreEqual(10 / (ttft + 9 * itl), Predict(Case(row with { Metric = PublishedMetric.OutputTokPerSec }), Slow), 1e-6);
    }

    [TestMethod]
    public void Serving_WithLengths_IsMaxThroughputCappedAtTheRunningSequences()
    {
        var serving = Row(PublishedMode.Serving, PublishedMetric.OutputTokPerSec, batch: 5, input: 16, output: 32);
        var offline = serving with { Mode = PublishedMode.MaxThroughput };
        Assert.AreEqual(Predict(Case(offline), Slow), Predict(Case(serving), Slow), 1e-12);
        var noLengths = new AnalyticPredictor().Prepare(Case(serving with { InputTokens = null }));
        Assert.IsNull(noLengths.Prediction);
        StringAssert.StartsWith(noLengths.Status, "unsupported: serving row without input and output lengths");
    }

    [TestMethod]
    public void UnmodelableMetric_GetsAStatus()
    {
        var p = new AnalyticPredictor().Prepare(Case(Row(PublishedMode.MaxThroughput, PublishedMetric.TtftMs, input: 8, output: 8)));
        Assert.IsNull(p.Prediction);
        Assert.AreEqual("unsupported: metric ttft_ms in mode max-throughput", p.Status);
    }

    [TestMethod]
    public void DecodeSeries_TrapezoidSum_IsWithinAFewPerMilleOfTheExactSum()
    {
        var w = TestData.Decode(TestData.TinyMha, TestData.Round, "fp16", 16, 0);
        var series = new DecodeSeries(w, 100, 400);
        double exact = 0;
        for (int k = 0; k < 400; k++)
        {
            exact += Roofline.Step(w with { ContextTokens = 100 + k }).SerialSec;
        }
        Assert.AreEqual(exact, series.TimeSec(EngineEfficiency.Datasheet), exact * 3e-3);
    }

    [TestMethod]
    public void Llama2_7b_Batch1OnA100_IsTheWeightStream()
    {
        // Hand check: every weight but the embedding table (a lookup reads one row) streams once per token:
        // (6.74e9 - 32,000 x 4,096) x 2 bytes over 2,039 GB/s = 6.48 ms, about 154 tokens/s; the KV cache and activations
        // at a 100-token context add under 2%.
        var hw = TestData.Hardware("a100-sxm-80gb");
        var model = TestData.Model("llama-2-7b");
        var row = Row(PublishedMode.FixedBatch, PublishedMetric.DecodeTokPerSecPerUser, batch: 1, input: 5, output: 200) with { Hardware = "a100-sxm-80gb", Model = "llama-2-7b" };
        double perUser = Predict(Case(row, hw, model), EngineEfficiency.Datasheet);
        double weightStream = 2.039e12 / ((model.TotalParams - model.EmbeddingParams) * 2);
        Assert.IsTrue(perUser < weightStream && perUser > 0.98 * weightStream, $"{perUser} vs {weightStream}");
    }
}
