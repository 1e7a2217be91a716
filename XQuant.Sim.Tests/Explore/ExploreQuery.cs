namespace XQuant.Sim.Tests.Explore;

/// <summary>The explorer API tests' query strings and the CLI twin of a query.</summary>
internal static class ExploreQuery
{
    /// <summary>A query from key, value, key, value, ...</summary>
    public static KeyValuePair<string, string>[] Q(params string[] kv) =>
        [.. Enumerable.Range(0, kv.Length / 2).Select(i => KeyValuePair.Create(kv[2 * i], kv[2 * i + 1]))];

    /// <summary>The CLI command the API answers for: every query pair as --key value, then --json; its stdout.</summary>
    public static string CliJson(string command, KeyValuePair<string, string>[] query)
    {
        var (code, output, err) = TestCli.Run([command, .. query.SelectMany(p => new[] { "--" + p.Key, p.Value }), "--json"]);
        Assert.AreEqual(0, code, err);
        return output;
    }
}
