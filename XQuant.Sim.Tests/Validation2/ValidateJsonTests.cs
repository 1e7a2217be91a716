using System.Globalization;
using System.Text.Json;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Tests.Explore;
using XQuant.Sim.Tests.Hardening;

namespace XQuant.Sim.Tests.Validation2;

/// <summary>validate --json: one schema-valid document on stdout whose numbers are the CSVs' of the same run.</summary>
[TestClass]
public sealed class ValidateJsonTests
{
    /// <summary>A seconds/bytes/FLOPs cell (Formats.Exact) equals the JSON double exactly; "n/a" or empty is null.</summary>
    private static void Same(string cell, JsonElement json, string what)
    {
        if (cell is "n/a" or "")
        {
            Assert.AreEqual(JsonValueKind.Null, json.ValueKind, what);
            return;
        }
        Assert.AreEqual(double.Parse(cell, CultureInfo.InvariantCulture), json.GetDouble(), what);
    }

    /// <summary>A percent cell (one decimal) is the JSON fraction printed the CSV's way.</summary>
    private static void SamePct(string cell, JsonElement json, string what) =>
        Assert.AreEqual(cell, json.ValueKind == JsonValueKind.Null ? "n/a" : Formats.Fixed(json.GetDouble() * 100, 1), what);

    [TestMethod]
    public void ValidateJson_IsSchemaValid_AndEqualsTheCsvsOfTheSameRun()
    {
        using var s = new HardeningRun.Scratch();
        string dir = s.Path("val");
        string cal = Path.Combine(TestPaths.RepoRoot, "validation", "calibrated-host.json");
        var (code, stdout, err) = HardeningRun.RunCli("validate", "--quick", "--calibration", cal, "--out", dir, "--json");
        Assert.AreEqual(0, code, err);
        StringAssert.Contains(err, "validating on", "progress goes to stderr");
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.IsEmpty(MiniSchema.Validate(Path.Combine(TestPaths.RepoRoot, "schemas", "validate.schema.json"), root));
        Assert.AreEqual("cpu", root.GetProperty("device").GetString());
        Assert.AreEqual("calibrated", root.GetProperty("hardware").GetProperty("provenance").GetString());

        var summary = TestCsv.Records(Path.Combine(dir, "summary.csv"));
        var js = root.GetProperty("summary").EnumerateArray().ToList();
        Assert.AreEqual(summary.Count, js.Count);
        Assert.IsTrue(summary.Any(r => r["scope"] == "decode step"));
        foreach (var (row, j) in summary.Zip(js))
        {
            Assert.AreEqual(row["scope"], j.GetProperty("scope").GetString());
            Assert.AreEqual(row["tier"], j.GetProperty("tier").GetString());
            Assert.AreEqual(row["n"], j.GetProperty("points").GetInt32().ToString(CultureInfo.InvariantCulture));
            foreach (var (csv, key) in new[] { ("mean_pct", "mean_error_fraction"), ("median_pct", "median_error_fraction"), ("median_abs_pct", "median_abs_error_fraction"), ("p90_abs_pct", "p90_abs_error_fraction"), ("worst_pct", "worst_error_fraction") })
            {
                SamePct(row[csv], j.GetProperty(key), $"{row["scope"]} {row["tier"]} {csv}");
            }
        }

        var kernels = TestCsv.Records(Path.Combine(dir, "kernels.csv"));
        var jk = root.GetProperty("kernels").EnumerateArray().ToList();
        Assert.AreEqual(kernels.Count, jk.Count);
        foreach (var (row, j) in kernels.Zip(jk))
        {
            Assert.AreEqual(row["shape"], j.GetProperty("shape").GetString());
            foreach (var (csv, key) in new[] { ("flops", "flops"), ("dram_bytes", "dram_bytes"), ("measured_s", "measured_sec"), ("predicted_sol_s", "predicted_sol_sec"), ("predicted_s", "predicted_sec"), ("predicted_interleaved_s", "predicted_interleaved_sec") })
            {
                Same(row[csv], j.GetProperty(key), $"{row["kernel"]} {csv}");
            }
            SamePct(row["error_pct"], j.GetProperty("error_fraction"), row["kernel"]);
            SamePct(row["error_interleaved_pct"], j.GetProperty("error_interleaved_fraction"), row["kernel"]);
        }

        var steps = TestCsv.Records(Path.Combine(dir, "steps.csv"));
        var jst = root.GetProperty("steps").EnumerateArray().ToList();
        Assert.AreEqual(steps.Count, jst.Count);
        Assert.IsNotEmpty(steps);
        foreach (var (row, j) in steps.Zip(jst))
        {
            Assert.AreEqual(row["scheme"], j.GetProperty("scheme").GetString());
            Same(row["measured_s"], j.GetProperty("measured_sec"), "step measured");
            Same(row["predicted_s"], j.GetProperty("predicted_sec"), "step predicted");
            foreach (var cls in j.GetProperty("by_class").EnumerateObject())
            {
                Same(row[cls.Name + "_measured_s"], cls.Value.GetProperty("measured_sec"), cls.Name);
                Same(row[cls.Name + "_predicted_s"], cls.Value.GetProperty("predicted_sec"), cls.Name);
            }
            Assert.AreEqual(row["cache_bytes_equal"] == "yes", j.GetProperty("cache_bytes_equal").GetBoolean());
        }

        var points = TestCsv.Records(Path.Combine(dir, "roofline-points.csv"));
        var jp = root.GetProperty("roofline_points").EnumerateArray().ToList();
        Assert.AreEqual(points.Count, jp.Count);
        foreach (var (row, j) in points.Zip(jp))
        {
            Assert.AreEqual(row["point"], j.GetProperty("point").GetString());
            Same(row["measured_s"], j.GetProperty("measured_sec"), row["point"]);
            Same(row["intensity_flop_per_byte"], j.GetProperty("intensity_flop_per_byte"), row["point"]);
            Same(row["achieved_flop_per_s"], j.GetProperty("achieved_flop_per_sec"), row["point"]);
        }
    }

    [TestMethod]
    public void ValidateJson_BadInput_IsExit2_EmptyStdout()
    {
        var (code, stdout, err) = HardeningRun.RunCli("validate", "--quick", "--calibration", "/nonexistent/cal.json", "--json");
        Assert.AreEqual(2, code);
        Assert.AreEqual("", stdout);
        StringAssert.Contains(err, "--calibration:");
    }
}
