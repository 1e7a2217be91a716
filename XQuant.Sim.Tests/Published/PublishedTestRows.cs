using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Studies.Published;

namespace XQuant.Sim.Tests.Published;

/// <summary>Rows and cases for the published-validation tests.</summary>
internal static class PublishedTestRows
{
    public const string Header = "id,hardware,devices,model,weights,weight_bits,kv,engine,framework,mode,batch,concurrency,input_tokens,output_tokens,metric,value,source,quote,notes";

    public static string ShippedCsv => Path.Combine(TestPaths.RepoRoot, "data", "published", "published-perf.csv");

    public static PublishedRow Row(PublishedMode mode, PublishedMetric metric, long? batch = null, long? concurrency = null, long? input = 8, long? output = 5, int devices = 1) => new()
    {
        Id = "T-1",
        Line = 1,
        Hardware = "round",
        Devices = devices,
        Model = "tiny-mha",
        Weights = "bf16",
        Kv = "fp16",
        Engine = "test",
        Mode = mode,
        Batch = batch,
        Concurrency = concurrency,
        InputTokens = input,
        OutputTokens = output,
        Metric = metric,
        Value = 1,
        Source = "test",
    };

    public static PublishedCase Case(PublishedRow row, HardwareProfile? hw = null, ModelConfig? model = null) =>
        new(row, hw ?? TestData.Round, model ?? TestData.TinyMha, WeightPrecision.Bf16, TestData.Scheme("fp16"), []);

    public static double Predict(PublishedCase c, Domain.Hardware.EngineEfficiency e)
    {
        var p = new AnalyticPredictor().Prepare(c);
        Assert.IsNotNull(p.Prediction, p.Status);
        return p.Prediction.Predict(e);
    }
}
