using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Parallelism;
using XQuant.Sim.Studies.Published;

namespace XQuant.Sim.Tests.Published;

/// <summary>Published rows on several devices: the plan they state or TP over all of them, replicas for the rest.</summary>
[TestClass]
public sealed class MultiDeviceRowTests
{
    private const string Header = "id,hardware,devices,model,weights,weight_bits,kv,engine,framework,mode,batch,concurrency,input_tokens,output_tokens,metric,value,source,quote,notes";

    private static PreparedRow Prepare(string devices, string framework, string mode, string batch, string metric)
    {
        string row = $"M-1,h100-sxm,{devices},llama-3.1-70b,fp8,8.0,fp8,tensorrt-llm,{framework},{mode},{batch},,128,128,{metric},1000,https://example.org,quote,";
        var rows = PublishedCsv.Parse("p.csv", Header + "\n" + row + "\n");
        var profiles = new[] { TestData.Hardware("h100-sxm") }.ToDictionary(h => h.Id);
        var models = new[] { TestData.Model("llama-3.1-70b") }.ToDictionary(m => m.Id);
        return PublishedStudy.Prepare(rows, profiles, models, new AnalyticPredictor()).Single();
    }

    [TestMethod]
    public void UnstatedSplit_IsTensorParallelOverEveryDevice_AndSaysSo()
    {
        var p = Prepare("8", "TRT", "fixed-batch", "1", "e2e_s");
        Assert.AreEqual("scored", p.Status);
        Assert.AreEqual(8, p.Case!.Parallel!.TensorParallel);
        Assert.AreEqual(1, p.Case.Replicas);
        Assert.IsTrue(p.Case.Assumptions.Any(a => a.Contains("tensor parallel over all 8 assumed", StringComparison.Ordinal)), string.Join("; ", p.Case.Assumptions));
        Assert.IsTrue(p.Case.Assumptions.Any(a => a.Contains("default, not published", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void StatedSplit_LeavesTheOtherDevicesAsReplicas_WhoseThroughputAdds()
    {
        // "TP2" on 8 devices: 4 replicas of TP 2, each running the stated batch; on 2 devices one replica does.
        var eight = Prepare("8", "\"NIM, TP2\"", "max-throughput", "16", "output_tok_per_s");
        var two = Prepare("2", "\"NIM, TP2\"", "max-throughput", "16", "output_tok_per_s");
        Assert.AreEqual(2, eight.Case!.Parallel!.TensorParallel);
        Assert.AreEqual(4, eight.Case.Replicas);
        var e = EngineEfficiency.Datasheet;
        Assert.AreEqual(4 * two.Prediction!.Predict(e), eight.Prediction!.Predict(e), 1e-9 * eight.Prediction.Predict(e));
    }

    [TestMethod]
    public void MultiDeviceStep_PaysItsAllReducesOnTheLink()
    {
        // Batch-1 decode of a TP 2 replica: the serial step is the rank's roofline plus two ring all-reduces per layer.
        var p = Prepare("2", "TP2", "fixed-batch", "1", "tpot_ms");
        var hw = TestData.Hardware("h100-sxm");
        var w = new Workload(p.Case!.Model, hw, p.Case.Scheme, p.Case.Weights, 1, 128, Phase.Decode, Parallel: p.Case.Parallel);
        var step = Roofline.Step(w);
        double link = step.Ops.Where(o => o.Op.Name is "tp_allreduce_attn" or "tp_allreduce_ffn").Sum(o => o.LinkSec);
        // 80 layers x 2 all-reduces of d = 8192 BF16 (16 KiB) over 2 ranks at 450 GB/s per direction, 1 us per ring step:
        // 2 (p - 1) alpha + 2 (p - 1) / p x bytes / bw = 2 us + 16384 / 450e9 s.
        Assert.AreEqual(160 * (2e-6 + 16384 / 450e9), link, 1e-12);
        // The published predictor's re-timable step carries every collective (these two, the embedding's, the logits').
        double serial = step.Ops.Sum(o => o.TimeSec);
        Assert.AreEqual(serial, StepWork.From(w).TimeSec(EngineEfficiency.Datasheet), 1e-12 * serial);
        Assert.IsTrue(step.Ops.Sum(o => o.LinkSec) > link);
    }
}
