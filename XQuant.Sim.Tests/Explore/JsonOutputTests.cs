using System.Globalization;
using System.Text.Json;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Rendering.Json;

namespace XQuant.Sim.Tests.Explore;

/// <summary>
/// --json prints one document on stdout whose numbers are the very doubles the text and CSV outputs print (the same
/// result records, rendered twice), and every document satisfies its schema in schemas/.
/// </summary>
[TestClass]
public sealed class JsonOutputTests
{
    private static string Schema(string name) => Path.Combine(TestPaths.RepoRoot, "schemas", name + ".schema.json");

    private static JsonElement Json(params string[] args)
    {
        var (code, output, err) = TestCli.Run(args);
        Assert.AreEqual(0, code, err);
        Assert.AreEqual("", err);
        using var doc = JsonDocument.Parse(output);
        return doc.RootElement.Clone();
    }

    private static void AssertValid(string schema, JsonElement doc)
    {
        var errors = MiniSchema.Validate(Schema(schema), doc);
        Assert.IsEmpty(errors, string.Join("\n", errors.Take(10)));
    }


    private static double D(string cell) => double.Parse(cell, CultureInfo.InvariantCulture);

    [TestMethod]
    [DataRow("llama-2-7b")]
    [DataRow("llama-3.1-8b")]
    public void Compare_JsonCases_EqualReportCsv_OverAGrid(string model)
    {
        string[] grid = ["-m", model, "-H", "h100-sxm,mi300x", "--schemes", "fp16,kivi:2,xquant:4,xquant-cl:2", "--context", "1024,32768", "--batch", "1,16"];
        using var dir = new TempDir();
        var (code, _, err) = TestCli.Run([.. new[] { "compare" }, .. grid, "-o", dir.Path]);
        Assert.AreEqual(0, code, err);
        var json = Json([.. new[] { "compare" }, .. grid, "--json"]);
        AssertValid("compare", json);
        var cases = json.GetProperty("cases").EnumerateArray().ToList();
        var rows = TestCsv.Records(Path.Combine(dir.Path, "report.csv"));
        Assert.HasCount(2 * 4 * 2 * 2, cases);
        Assert.HasCount(cases.Count, rows);
        foreach (var row in rows)
        {
            var c = cases.Single(x => x.GetProperty("hardware").GetString() == row["hardware"] && x.GetProperty("scheme").GetString() == row["scheme"]
                && x.GetProperty("batch").GetDouble() == D(row["batch"]) && x.GetProperty("context_tokens").GetDouble() == D(row["context_tokens"]));
            var step = c.GetProperty("step");
            var cap = c.GetProperty("capacity");
            string where = $"{row["hardware"]} {row["scheme"]} b={row["batch"]} l={row["context_tokens"]}";
            Assert.AreEqual(D(row["cache_bytes"]), c.GetProperty("cache").GetProperty("total_bytes").GetDouble(), where);
            Assert.AreEqual(D(row["normalized_size"]), c.GetProperty("normalized_size").GetDouble(), where);
            Assert.AreEqual(D(row["flops"]), step.GetProperty("flops").GetDouble(), where);
            Assert.AreEqual(D(row["dram_bytes"]), step.GetProperty("dram_bytes").GetDouble(), where);
            Assert.AreEqual(D(row["remat_flops"]), step.GetProperty("remat_flops").GetDouble(), where);
            Assert.AreEqual(D(row["compute_s"]), step.GetProperty("compute_sec").GetDouble(), where);
            Assert.AreEqual(D(row["memory_s"]), step.GetProperty("memory_sec").GetDouble(), where);
            Assert.AreEqual(D(row["step_time_serial_s"]), step.GetProperty("serial_sec").GetDouble(), where);
            Assert.AreEqual(D(row["step_time_overlapped_s"]), step.GetProperty("overlapped_sec").GetDouble(), where);
            Assert.AreEqual(row["bound"], step.GetProperty("bound").GetString(), where);
            Assert.AreEqual(D(row["tokens_per_s_overlapped"]), c.GetProperty("tokens_per_sec_overlapped").GetDouble(), where);
            Assert.AreEqual(D(row["weight_bytes"]), cap.GetProperty("weight_bytes").GetDouble(), where);
            Assert.AreEqual(D(row["max_batch_at_context"]), cap.GetProperty("max_batch_at_context").GetDouble(), where);
            Assert.AreEqual(D(row["max_context_at_batch"]), cap.GetProperty("max_context_tokens_at_batch").GetDouble(), where);
            Assert.AreEqual(row["fits"] == "true", cap.GetProperty("fits").GetBoolean(), where);
            // The step totals are the sums of the ledger rows the document carries.
            double opTime = c.GetProperty("ops").EnumerateArray().Sum(o => o.GetProperty("time_sec").GetDouble());
            Assert.AreEqual(step.GetProperty("serial_sec").GetDouble(), opTime, 1e-12 * opTime, where);
        }
    }

    [TestMethod]
    [DataRow("llama-2-7b", "h100-sxm", "xquant:4", "4096", "1", "decode")]
    [DataRow("llama-3.1-8b", "mi300x", "xquant-cl:2", "32768", "8", "decode")]
    [DataRow("llama-2-7b", "b200", "kivi:2", "2048", "4", "prefill")]
    [DataRow("mistral-7b-v0.3", "gaudi3", "fp16", "1000", "3", "decode")]
    public void Ledger_Json_EqualsTheCompareCaseAndTheText(string model, string hw, string scheme, string context, string batch, string phase)
    {
        var ledger = Json("ledger", "-m", model, "-H", hw, "--scheme", scheme, "--context", context, "--batch", batch, "--phase", phase, "--json");
        AssertValid("ledger", ledger);
        var c = ledger.GetProperty("case");
        var step = c.GetProperty("step");
        var (code, text, _) = TestCli.Run("ledger", "-m", model, "-H", hw, "--scheme", scheme, "--context", context, "--batch", batch, "--phase", phase);
        Assert.AreEqual(0, code);
        StringAssert.Contains(text, $"step time, serial (sum of per-op roofline times): {Formats.Seconds(step.GetProperty("serial_sec").GetDouble())}");
        StringAssert.Contains(text, $"overlapped (max(compute {Formats.Seconds(step.GetProperty("compute_sec").GetDouble())}, memory {Formats.Seconds(step.GetProperty("memory_sec").GetDouble())})): {Formats.Seconds(step.GetProperty("overlapped_sec").GetDouble())}");
        StringAssert.Contains(text, $"largest batch at this context: {Formats.Int(c.GetProperty("capacity").GetProperty("max_batch_at_context").GetDouble())}");
        Assert.AreEqual(phase, c.GetProperty("phase").GetString());
        if (phase == "decode")
        {
            var cmp = Json("compare", "-m", model, "-H", hw, "--schemes", scheme, "--context", context, "--batch", batch, "--json");
            var same = cmp.GetProperty("cases")[0];
            Assert.IsTrue(JsonElement.DeepEquals(same.GetProperty("step"), step), "ledger and compare cost the same case differently");
            Assert.IsTrue(JsonElement.DeepEquals(same.GetProperty("ops"), c.GetProperty("ops")), "ledger and compare list different ops");
        }
        else
        {
            Assert.AreEqual(JsonValueKind.Null, c.GetProperty("tokens_per_sec_overlapped").ValueKind, "tokens/s do not apply to prefill");
        }
    }

    [TestMethod]
    [DataRow("llama-2-7b", "4096", "1")]
    [DataRow("llama-3.1-70b", "131072", "32")]
    public void Memory_Json_EqualsTheCsv(string model, string context, string batch)
    {
        using var dir = new TempDir();
        string csv = Path.Combine(dir.Path, "m.csv");
        var (code, _, err) = TestCli.Run("memory", "-m", model, "--context", context, "--batch", batch, "--csv", csv);
        Assert.AreEqual(0, code, err);
        var json = Json("memory", "-m", model, "--context", context, "--batch", batch, "--json");
        AssertValid("memory", json);
        var rows = TestCsv.Records(csv);
        var items = json.GetProperty("rows").EnumerateArray().ToList();
        Assert.HasCount(rows.Count, items);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.AreEqual(rows[i]["scheme"], items[i].GetProperty("scheme").GetString());
            foreach (string key in new[] { "bytes_per_token", "normalized_size", "savings_exact_x", "savings_paper_x", "payload_bytes", "metadata_bytes", "window_bytes", "accumulator_bytes", "total_bytes" })
            {
                Assert.AreEqual(D(rows[i][key]), items[i].GetProperty(key).GetDouble(), $"{rows[i]["scheme"]} {key}");
            }
        }
    }

    [TestMethod]
    [DataRow("h100-sxm", "xquant:4", "1")]
    [DataRow("mi300x", "xquant-cl:2", "8")]
    [DataRow("b200", "xquant:3", "64")]
    public void BreakEven_Json_EqualsTheText(string hw, string scheme, string batch)
    {
        string[] args = ["breakeven", "-m", "llama-2-7b", "-H", hw, "--scheme", scheme, "--batch", batch];
        var json = Json([.. args, "--json"]);
        AssertValid("breakeven", json);
        var (_, text, _) = TestCli.Run(args);
        var hide = json.GetProperty("hide");
        string ledgerHide = hide.GetProperty("context_tokens_ledger").ValueKind == JsonValueKind.Null
            ? "(never compute-bound)" : $"l_hide = {Formats.Int(hide.GetProperty("context_tokens_ledger").GetDouble())} tokens";
        StringAssert.Contains(text, ledgerHide);
        StringAssert.Contains(text, $"R_needed = F_");
        StringAssert.Contains(text, $"= {Formats.Sig(json.GetProperty("ridge").GetProperty("needed_flop_per_byte").GetDouble())} FLOP/byte");
        foreach (var c in json.GetProperty("context_crossovers").EnumerateArray())
        {
            StringAssert.Contains(text, $"crossover at l = {Formats.Int(c.GetProperty("at").GetDouble())} tokens");
        }
        Assert.AreEqual(text.Contains("-> enough", StringComparison.Ordinal), json.GetProperty("ridge").GetProperty("enough").GetBoolean());
    }

    [TestMethod]
    public void BreakEven_Json_UnderSpeculation_SaysTimesArePerToken()
    {
        string[] args = ["breakeven", "-m", "llama-3.1-8b", "-H", "h100-sxm", "--scheme", "xquant-gqa:2", "--spec", "k=3,accept=0.7,draft=llama-3.2-1b"];
        var json = Json([.. args, "--json"]);
        AssertValid("breakeven", json);
        var spec = json.GetProperty("speculation");
        Assert.AreEqual(3, spec.GetProperty("draft_tokens").GetInt32());
        // E = 1 + 0.7 + 0.49 + 0.343 by hand.
        Assert.AreEqual(2.533, spec.GetProperty("expected_tokens_per_step").GetDouble(), 1e-12);
        var (_, text, _) = TestCli.Run(args);
        StringAssert.Contains(text, "E = 2.533");
        var plain = Json("breakeven", "-m", "llama-3.1-8b", "-H", "h100-sxm", "--scheme", "xquant-gqa:2", "--json");
        Assert.IsFalse(plain.TryGetProperty("speculation", out _));
        Assert.IsLessThan(plain.GetProperty("scheme_step_sec").GetDouble(), json.GetProperty("scheme_step_sec").GetDouble(), "per-token time under speculation is below the plain step");
    }

    [TestMethod]
    public void Pareto_Json_EqualsTheCsv()
    {
        using var dir = new TempDir();
        var json = Json("pareto", "-m", "llama-2-7b", "-H", "h100-sxm", "--json", "-o", dir.Path);
        AssertValid("pareto", json);
        var rows = TestCsv.Records(Path.Combine(dir.Path, "pareto.csv"));
        var points = json.GetProperty("points").EnumerateArray().ToList();
        Assert.HasCount(rows.Count, points);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.AreEqual(rows[i]["scheme"], points[i].GetProperty("label").GetString());
            Assert.AreEqual(D(rows[i]["normalized_size"]), points[i].GetProperty("normalized_size").GetDouble());
            Assert.AreEqual(D(rows[i]["time_per_token_s"]), points[i].GetProperty("time_per_token_sec").GetDouble());
            Assert.AreEqual(D(rows[i]["perplexity_delta"]), points[i].GetProperty("perplexity_delta").GetDouble());
            Assert.AreEqual(rows[i]["pareto"] == "yes", points[i].GetProperty("pareto_front").GetBoolean());
        }
    }

    [TestMethod]
    public void Simulate_Json_EqualsTheSummaryCsv()
    {
        string[] args = ["simulate", "-H", "h100-sxm", "-m", "llama-3.1-8b", "-s", "fp16,kivi:2", "--rate", "5,40", "-n", "150", "--slo", "ttft=2s,tpot=50ms"];
        using var dir = new TempDir();
        var (code, _, err) = TestCli.Run([.. args, "-o", dir.Path, "--charts", "none"]);
        Assert.AreEqual(0, code, err);
        var json = Json([.. args, "--json"]);
        AssertValid("simulate", json);
        var rows = TestCsv.Records(Path.Combine(dir.Path, "summary.csv"));
        var runs = json.GetProperty("schemes").EnumerateArray()
            .SelectMany(s => s.GetProperty("runs").EnumerateArray().Select(r => (Scheme: s.GetProperty("scheme").GetString(), Pool: s.GetProperty("pool"), Run: r))).ToList();
        Assert.HasCount(4, runs);
        Assert.HasCount(runs.Count, rows);
        for (int i = 0; i < rows.Count; i++)
        {
            var (scheme, pool, run) = runs[i];
            var sum = run.GetProperty("summary");
            Assert.AreEqual(rows[i]["scheme"], scheme);
            Assert.AreEqual(rows[i]["arrivals"], run.GetProperty("arrivals").GetString());
            Assert.AreEqual(D(rows[i]["completed"]), sum.GetProperty("completed").GetDouble());
            Assert.AreEqual(D(rows[i]["output_tok_per_s"]), sum.GetProperty("output_tokens_per_sec").GetDouble());
            Assert.AreEqual(D(rows[i]["goodput_req_per_s"]), sum.GetProperty("goodput_req_per_sec").GetDouble());
            Assert.AreEqual(D(rows[i]["ttft_p90_s"]), sum.GetProperty("ttft_sec").GetProperty("p90").GetDouble());
            Assert.AreEqual(D(rows[i]["tpot_p50_s"]), sum.GetProperty("tpot_sec").GetProperty("p50").GetDouble());
            Assert.AreEqual(D(rows[i]["e2e_p90_s"]), sum.GetProperty("e2e_sec").GetProperty("p90").GetDouble());
            Assert.AreEqual(D(rows[i]["pool_tokens"]), pool.GetProperty("pool_tokens").GetDouble());
        }
    }

    [TestMethod]
    public void PublishedScore_Json_EqualsTheScoresCsv()
    {
        string csv = Path.Combine(TestPaths.RepoRoot, "data", "published", "published-perf.csv");
        using var dir = new TempDir();
        var (code, _, err) = TestCli.Run("published", "score", csv, "-o", dir.Path);
        Assert.AreEqual(0, code, err);
        var json = Json("published", "score", csv, "--json");
        AssertValid("published-score", json);
        var rows = TestCsv.Records(Path.Combine(dir.Path, "scores.csv"));
        var items = json.GetProperty("rows").EnumerateArray().ToList();
        Assert.HasCount(rows.Count, items);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.AreEqual(rows[i]["id"], items[i].GetProperty("id").GetString());
            Assert.AreEqual(rows[i]["status"], items[i].GetProperty("status").GetString());
            Assert.AreEqual(D(rows[i]["measured"]), items[i].GetProperty("measured").GetDouble());
            if (rows[i]["predicted_datasheet"].Length > 0)
            {
                Assert.AreEqual(D(rows[i]["predicted_datasheet"]), items[i].GetProperty("predicted_datasheet").GetDouble(), rows[i]["id"]);
                Assert.AreEqual(D(rows[i]["predicted_fitted"]), items[i].GetProperty("predicted_fitted").GetDouble(), rows[i]["id"]);
            }
            if (rows[i]["error_fitted_pct"].Length > 0)
            {
                // The CSV rounds errors to 3 decimals for reading; the JSON keeps the double.
                Assert.AreEqual(D(rows[i]["error_fitted_pct"]), items[i].GetProperty("error_fitted_pct").GetDouble(), 0.0005, rows[i]["id"]);
            }
        }
        Assert.AreEqual(items.Count(r => r.GetProperty("status").GetString() == "scored"), json.GetProperty("scored_rows").GetInt32());
    }

    [TestMethod]
    public void BadInput_WithJson_IsExit2_AndNothingOnStdout()
    {
        var (code, output, err) = TestCli.Run("ledger", "-m", "llama-2-7b", "-H", "h100-sxm", "--context", "0", "--json");
        Assert.AreEqual(2, code);
        Assert.AreEqual("", output);
        StringAssert.Contains(err, "--context");
    }

    [TestMethod]
    public void NonFiniteNumbers_AreNull_NotInvalidJson()
    {
        Assert.IsNull(JsonDoc.Num(double.PositiveInfinity));
        Assert.IsNull(JsonDoc.Num(double.NaN));
        var doc = JsonDoc.Start("test");
        doc["x_sec"] = JsonDoc.Num(double.PositiveInfinity);
        doc["y_sec"] = JsonDoc.Num(0.1);
        using var back = JsonDocument.Parse(JsonDoc.Text(doc));
        Assert.AreEqual(JsonValueKind.Null, back.RootElement.GetProperty("x_sec").ValueKind);
        Assert.AreEqual(0.1, back.RootElement.GetProperty("y_sec").GetDouble());
    }
}
