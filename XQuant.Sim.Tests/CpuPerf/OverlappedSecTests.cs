using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Studies.Scenarios;

namespace XQuant.Sim.Tests.CpuPerf;

/// <summary>
/// A swept case times the largest batch that fits with Roofline.OverlappedSec (no timing object per op); it must be
/// the very double of the full step, or tokens/s at max batch would change in the last digit of every CSV.
/// </summary>
[TestClass]
public sealed class OverlappedSecTests
{
    [TestMethod]
    [DataRow("gpu-vs-npu.json")]
    [DataRow("llama-70b-tp8.json")]
    [DataRow("long-context.json")]
    [DataRow("mla-xquant.json")]
    [DataRow("paper-reproduction.json")]
    public void OverlappedSec_IsTheFullStepsDouble_AtEveryBatch(string scenario)
    {
        var s = ScenarioLoader.Load(Path.Combine(TestPaths.Scenarios, scenario));
        int checkedCases = 0;
        foreach (var w in s.Expand().Where(w => w.Phase == Phase.Decode))
        {
            foreach (int b in new[] { w.Batch, 1, 7, 300 })
            {
                var at = w with { Batch = b };
                Assert.AreEqual(BitConverter.DoubleToInt64Bits(Roofline.Step(at).OverlappedSec), BitConverter.DoubleToInt64Bits(Roofline.OverlappedSec(at)), $"{scenario}: {at.Scheme.Spec} on {at.Hardware.Id}, batch {b}");
                checkedCases++;
            }
        }
        Assert.IsGreaterThan(10, checkedCases);
    }

    [TestMethod]
    public void CaseResult_TokensPerSecAtMaxBatch_IsTheMaxBatchOverItsStep()
    {
        var w = ScenarioLoader.Load(Path.Combine(TestPaths.Scenarios, "quickstart.json")).Expand().First(w => w.Phase == Phase.Decode);
        var c = CaseCoster.Cost(w);
        double max = c.Capacity.MaxBatchAtContext;
        Assert.IsGreaterThan(w.Batch, max);
        Assert.AreEqual(max / Roofline.Step(w with { Batch = max }).OverlappedSec, c.TokensPerSecAtMaxBatch);
        Assert.IsNull(CaseCoster.Cost(w, throughputAtMaxBatch: false).OverlappedSecAtMaxBatch);
    }
}
