using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Studies.Published;
using static XQuant.Sim.Tests.Published.PublishedTestRows;

namespace XQuant.Sim.Tests.Published;

[TestClass]
public sealed class PublishedCsvTests
{
    private const string Good = "G-1,h100-sxm,1,llama-3.1-8b,fp8,8.0,fp8,tensorrt-llm,TRT,max-throughput,,,128,128,output_tok_per_s,1000,https://example.org,quote,";

    [TestMethod]
    public void ShippedFile_Reads38RowsWithTheirSources()
    {
        var rows = PublishedCsv.Load(ShippedCsv);
        Assert.AreEqual(38, rows.Count);
        Assert.IsTrue(rows.All(r => r.Source.Length > 0));
        var gptFast = rows.Single(r => r.Id == "GPTFAST-01");
        Assert.AreEqual(PublishedMode.FixedBatch, gptFast.Mode);
        Assert.AreEqual(PublishedMetric.DecodeTokPerSecPerUser, gptFast.Metric);
        Assert.AreEqual(104.9, gptFast.Value);
        Assert.IsNull(rows.Single(r => r.Id == "MLP41-05").InputTokens, "an unstated length stays unstated");
    }

    [TestMethod]
    public void MalformedRows_OneLineEach_NamingRowAndColumn()
    {
        string text = string.Join('\n',
            Header,
            Good,
            "B-1,,1,llama-3.1-8b,fp8,8.0,fp8,tensorrt-llm,TRT,max-throughput,,,128,128,output_tok_per_s,1000,src,,",
            "B-2,h100-sxm,1,llama-3.1-8b,fp8,8.0,fp8,tensorrt-llm,TRT,max-throughput,,,128,128,output_tok_per_s,-5,src,,",
            "B-3,h100-sxm,1,llama-3.1-8b,fp8,8.0,fp8,tensorrt-llm,TRT,max-throughput,,,128,128,,1000,src,,",
            "B-4,h100-sxm,0,llama-3.1-8b,fp8,8.0,fp8,tensorrt-llm,TRT,sometimes,,,128,x,tokens,1000,src,,") + "\n";
        var ex = Assert.ThrowsExactly<InputException>(() => PublishedCsv.Parse("p.csv", text));
        var lines = ex.Errors.Select(e => e.ToString()).ToList();
        CollectionAssert.AreEqual(
            new[]
            {
                "p.csv: row 2 (B-1), column hardware: is empty (required)",
                "p.csv: row 3 (B-2), column value: '-5' must be a positive finite number",
                "p.csv: row 4 (B-3), column metric: is empty (required)",
                "p.csv: row 5 (B-4), column devices: '0' must be a whole number from 1 to 1099511627776",
                "p.csv: row 5 (B-4), column mode: 'sometimes' is not a mode (allowed: fixed-batch, max-throughput, concurrency, serving)",
                "p.csv: row 5 (B-4), column output_tokens: 'x' must be a whole number from 1 to 1099511627776",
                "p.csv: row 5 (B-4), column metric: 'tokens' is not a metric (allowed: output_tok_per_s, output_tok_per_s_per_device, decode_tok_per_s_per_user, tpot_ms, itl_ms, ttft_ms, e2e_s)",
            },
            lines,
            string.Join("\n", lines));
    }

    [TestMethod]
    public void MissingColumnAndDuplicateId_AreReported()
    {
        var missing = Assert.ThrowsExactly<InputException>(() => PublishedCsv.Parse("p.csv", Header.Replace(",metric", "", StringComparison.Ordinal) + "\n" + Good + "\n"));
        Assert.AreEqual("p.csv: column metric: is missing from the header (columns: " + string.Join(",", PublishedCsv.Columns) + ")", missing.Errors.Single().ToString());
        var dup = Assert.ThrowsExactly<InputException>(() => PublishedCsv.Parse("p.csv", Header + "\n" + Good + "\n" + Good + "\n"));
        Assert.AreEqual("p.csv: row 2 (G-1), column id: 'G-1' appears twice in the file", dup.Errors.Single().ToString());
    }

    [TestMethod]
    public void WellFormedRowsXqsimCannotModel_AreKeptWithAStatus()
    {
        string text = string.Join('\n',
            Header,
            Good,
            Good.Replace("G-1,h100-sxm", "U-1,no-such-gpu", StringComparison.Ordinal),
            Good.Replace("G-1,h100-sxm,1", "U-2,h100-sxm,3", StringComparison.Ordinal),
            Good.Replace("G-1", "U-3", StringComparison.Ordinal).Replace("fp8,8.0", "fp4,4.5", StringComparison.Ordinal),
            Good.Replace("G-1", "U-4", StringComparison.Ordinal).Replace("llama-3.1-8b", "no-such-model", StringComparison.Ordinal)) + "\n";
        var rows = PublishedCsv.Parse("p.csv", text);
        var profiles = new[] { TestData.Hardware("h100-sxm") }.ToDictionary(h => h.Id);
        var models = new[] { TestData.Model("llama-3.1-8b") }.ToDictionary(m => m.Id);
        var prepared = PublishedStudy.Prepare(rows, profiles, models, new AnalyticPredictor());
        CollectionAssert.AreEqual(
            new[]
            {
                "scored",
                "unsupported: no hardware profile 'no-such-gpu'",
                "unsupported: TP 3 x PP 1: 3 does not divide the 32 attention heads of llama-3.1-8b",
                "unsupported: fp4 weights",
                "unsupported: no model config 'no-such-model'",
            },
            prepared.Select(p => p.Status).ToList());
    }
}
