using System.Text.Json;
using XQuant.Sim.Tests.Explore;

namespace XQuant.Sim.Tests.Speculation;

[TestClass]
public sealed class SpecJsonTests
{
    [TestMethod]
    public void LedgerJson_CarriesTheSpeculation_AndMatchesTheSchema()
    {
        var (code, output, err) = TestCli.Run("ledger", "-H", "h100-sxm", "-m", "llama-3.1-8b", "--scheme", "xquant-gqa:4", "-c", "8192", "-b", "4", "--spec", "k=3,accept=0.7,draft=llama-3.2-1b", "--json");
        Assert.AreEqual(0, code, err);
        using var doc = JsonDocument.Parse(output);
        var errors = MiniSchema.Validate(Path.Combine(TestPaths.RepoRoot, "schemas", "ledger.schema.json"), doc.RootElement);
        Assert.IsEmpty(errors, string.Join("\n", errors.Take(10)));
        var c = doc.RootElement.GetProperty("case");
        var s = c.GetProperty("speculation");
        Assert.AreEqual(3, s.GetProperty("draft_tokens").GetInt32());
        Assert.AreEqual("model", s.GetProperty("drafter").GetString());
        double e = 1 + 0.7 + 0.49 + 0.343;
        Assert.AreEqual(e, s.GetProperty("expected_tokens").GetDouble(), 1e-12);
        double perToken = (s.GetProperty("verify_overlapped_sec").GetDouble() + s.GetProperty("draft_overlapped_sec").GetDouble()) / e;
        Assert.AreEqual(perToken, s.GetProperty("per_token_overlapped_sec").GetDouble(), 1e-15);
        Assert.AreEqual(4 / perToken, c.GetProperty("tokens_per_sec_overlapped").GetDouble(), 1e-6);
        Assert.AreEqual(c.GetProperty("step").GetProperty("overlapped_sec").GetDouble(), s.GetProperty("verify_overlapped_sec").GetDouble());
    }
}
