using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Studies.Published;
using static XQuant.Sim.Tests.Published.PublishedTestRows;

namespace XQuant.Sim.Tests.Published;

[TestClass]
public sealed class PublishedRobustnessTests
{
    private static readonly string[] Replacements =
    [
        "", "-1", "0", "1", "abc", "1e400", "NaN", "99999999999", "1.5", "fp4", "int4", "fp8", "q8_0", "unstated", "int8",
        "serving", "concurrency", "fixed-batch", "max-throughput", "tpot_ms", "ttft_ms", "e2e_s", "itl_ms",
        "output_tok_per_s_per_device", "decode_tok_per_s_per_user", "h100-sxm", "rngd", "tpu-v5e", "warboy", "llama-2-70b", "\"a,b\"",
    ];

    [TestMethod]
    public void MutatedRows_AreEitherRejectedCleanly_OrPredictedFinite()
    {
        var lines = File.ReadAllLines(ShippedCsv);
        var profiles = HardwareProfileLoader.LoadAll(TestPaths.HardwareProfiles).ToDictionary(h => h.Id);
        var models = ModelConfigLoader.LoadAll(TestPaths.Models).ToDictionary(m => m.Id);
        var rng = new Random(20261204);
        var efficiency = new EngineEfficiency("t", null, 0.5, 0.3, 5e-3, 50e-6);
        int predicted = 0, rejected = 0;
        for (int trial = 0; trial < 200; trial++)
        {
            // One mutated copy of a data row (CSV-aware split keeps quoted cells whole).
            var picked = Enumerable.Range(0, 1).Select(_ => lines[1 + rng.Next(lines.Length - 1)]).Distinct().ToList();
            var mutated = picked.Select((l, k) =>
            {
                var cells = TestCsv.Cells(l);
                cells[0] = $"M{trial}-{k}";
                int column = 1 + rng.Next(15);
                cells[column] = Replacements[rng.Next(Replacements.Length)];
                return string.Join(',', cells.Select(Quote));
            });
            string text = lines[0] + "\n" + string.Join('\n', mutated) + "\n";
            IReadOnlyList<PublishedRow> rows;
            try
            {
                rows = PublishedCsv.Parse("m.csv", text);
            }
            catch (InputException e)
            {
                Assert.IsTrue(e.Errors.Count > 0 && e.Errors.All(x => x.ToString().StartsWith("m.csv: ", StringComparison.Ordinal)), e.Message);
                rejected++;
                continue;
            }
            foreach (var p in PublishedStudy.Prepare(rows, profiles, models, new AnalyticPredictor()))
            {
                if (p.Prediction is null)
                {
                    StringAssert.StartsWith(p.Status, "unsupported: ");
                    continue;
                }
                foreach (var e in new[] { EngineEfficiency.Datasheet, efficiency })
                {
                    double v = p.Prediction.Predict(e);
                    Assert.IsTrue(double.IsFinite(v) && v > 0, $"{p.Row.Id}: {v}");
                }
                predicted++;
            }
        }
        Assert.IsTrue(predicted > 20 && rejected > 5, $"{predicted} predicted, {rejected} rejected");
    }

    private static string Quote(string cell) =>
        cell.Contains(',', StringComparison.Ordinal) || cell.Contains('"', StringComparison.Ordinal) ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;

}
