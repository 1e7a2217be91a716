using System.Net;
using System.Text.Json;
using XQuant.Sim.Cli.Explore;
using static XQuant.Sim.Tests.Explore.ExploreQuery;

namespace XQuant.Sim.Tests.Explore;

/// <summary>
/// GET /api/... answers the CLI's --json document byte for byte, validates every parameter like the CLI (a 400 that
/// names it, never a stack trace), reads only shipped data, and the server binds loopback on an ephemeral port.
/// </summary>
[TestClass]
public sealed class ExploreApiTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void Api_EqualsCli_OverAGrid()
    {
        int n = 0;
        foreach (string scheme in new[] { "fp16", "kivi:4", "xquant:4", "xquant-cl:2" })
        {
            foreach (string context in new[] { "512", "8192", "131072" })
            {
                foreach (string phase in new[] { "decode", "prefill" })
                {
                    var q = Q("model", "llama-3.1-8b", "hardware", "h100-sxm", "scheme", scheme, "context", context, "batch", "4", "phase", phase);
                    var api = ExploreApi.Handle("ledger", q);
                    Assert.AreEqual(200, api.Status, api.Json);
                    Assert.AreEqual(CliJson("ledger", q), api.Json, $"{scheme} {context} {phase}");
                    n++;
                }
            }
        }
        var cq = Q("model", "llama-2-7b", "hardware", "h100-sxm,mi300x", "schemes", "fp16,xquant:4", "context", "4096,16384", "batch", "1,8");
        Assert.AreEqual(CliJson("compare", cq), ExploreApi.Handle("compare", cq).Json);
        var bq = Q("model", "llama-2-7b", "hardware", "b200", "scheme", "xquant-cl:2", "batch", "16");
        Assert.AreEqual(CliJson("breakeven", bq), ExploreApi.Handle("breakeven", bq).Json);
        var mq = Q("model", "llama-2-70b", "context", "32768", "batch", "2");
        Assert.AreEqual(CliJson("memory", mq), ExploreApi.Handle("memory", mq).Json);
        var sq = Q("model", "llama-3.1-8b", "hardware", "h100-sxm", "schemes", "fp16,kivi:2", "rate", "5,30", "requests", "100", "slo", "ttft=2s,tpot=50ms");
        Assert.AreEqual(CliJson("simulate", sq), ExploreApi.Handle("simulate", sq).Json);
        Assert.AreEqual(24, n);
    }

    [TestMethod]
    public void Ledgers_AreTheCliLedgersOfEachScheme_InOrder()
    {
        var common = Q("model", "llama-3.1-8b", "hardware", "h100-sxm", "context", "8192", "batch", "4");
        var r = ExploreApi.Handle("ledgers", [.. common, KeyValuePair.Create("schemes", "fp16,kivi:2,xquant-gqa:2")]);
        Assert.AreEqual(200, r.Status, r.Json);
        using var doc = JsonDocument.Parse(r.Json);
        Assert.IsEmpty(MiniSchema.Validate(Path.Combine(TestPaths.RepoRoot, "schemas", "api-ledgers.schema.json"), doc.RootElement));
        var docs = doc.RootElement.GetProperty("documents").EnumerateArray().ToList();
        string[] schemes = ["fp16", "kivi:2", "xquant-gqa:2"];
        Assert.HasCount(3, docs);
        for (int i = 0; i < 3; i++)
        {
            using var cli = JsonDocument.Parse(CliJson("ledger", [.. common, KeyValuePair.Create("scheme", schemes[i])]));
            Assert.AreEqual(cli.RootElement.GetRawText(), docs[i].GetRawText(), schemes[i]);
        }
        var bad = ExploreApi.Handle("ledgers", [.. common, KeyValuePair.Create("schemes", "fp16,xquant:9")]);
        Assert.AreEqual(400, bad.Status);
        StringAssert.Contains(bad.Json, "scheme: bits '9' not allowed");
        Assert.AreEqual(400, ExploreApi.Handle("ledgers", [.. common, KeyValuePair.Create("scheme", "fp16")]).Status, "ledgers takes schemes, not scheme");
    }

    [TestMethod]
    public void Api_EqualsCli_ForSpeculationRoutingAndParallelServing()
    {
        var lq = Q("model", "qwen3-30b-a3b", "hardware", "dgx-h100", "scheme", "xquant-gqa:4", "context", "4096", "batch", "16", "tp", "4", "ep", "4", "spec", "k=2,accept=0.7", "moe-routing", "zipf=1");
        var ledger = ExploreApi.Handle("ledger", lq);
        Assert.AreEqual(200, ledger.Status, ledger.Json);
        Assert.AreEqual(CliJson("ledger", lq), ledger.Json);
        var bq = Q("model", "llama-3.1-8b", "hardware", "h100-sxm", "scheme", "xquant-gqa:2", "spec", "k=3,accept=0.7,draft=llama-3.2-1b");
        Assert.AreEqual(CliJson("breakeven", bq), ExploreApi.Handle("breakeven", bq).Json);
        var sq = Q("model", "llama-3.1-8b", "hardware", "dgx-h100", "schemes", "fp16,xquant-gqa:4", "rate", "5", "requests", "60", "tp", "2", "spec", "k=3,accept=0.7,draft=llama-3.2-1b");
        var sim = ExploreApi.Handle("simulate", sq);
        Assert.AreEqual(200, sim.Status, sim.Json);
        Assert.AreEqual(CliJson("simulate", sq), sim.Json);
        StringAssert.Contains(sim.Json, "\"speculation\"");
    }

    [TestMethod]
    [DataRow("ledger", "context", "0", "context")]
    [DataRow("ledger", "batch", "lots", "batch")]
    [DataRow("ledger", "scheme", "xquant:9", "scheme")]
    [DataRow("ledger", "phase", "train", "phase")]
    [DataRow("ledger", "model", "../models/llama-2-7b.json", "model")]
    [DataRow("ledger", "model", "/etc/passwd", "model")]
    [DataRow("ledger", "hardware", "h100-sxm.json", "hardware")]
    [DataRow("compare", "hardware", "h100-sxm,nope", "hardware")]
    [DataRow("ledger", "out", "x", "out")]
    [DataRow("ledger", "context", "--out=x", "context")]
    [DataRow("memory", "scheme", "fp16", "scheme")]
    [DataRow("nosuch", "context", "1", "/api/nosuch")]
    [DataRow("ledger", "spec", "k=2,accept=0.7,draft=/work/main/models/llama-3.2-1b.json", "spec: draft")]
    [DataRow("simulate", "spec", "k=2,accept=0.7,draft=../x", "spec: draft")]
    [DataRow("ledger", "spec", "k=2,accept=1.5", "spec")]
    public void BadParameter_Is400_NamingIt(string command, string key, string value, string named)
    {
        var q = command == "nosuch" ? Q(key, value) : Q("model", "llama-2-7b", "hardware", "h100-sxm").Where(p => p.Key != key && (command != "memory" || p.Key != "hardware")).Append(KeyValuePair.Create(key, value)).ToArray();
        var r = ExploreApi.Handle(command, q);
        Assert.AreEqual(400, r.Status, r.Json);
        using var doc = JsonDocument.Parse(r.Json);
        var errors = doc.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.IsTrue(errors.Any(e => e.Contains(named, StringComparison.Ordinal)), string.Join(" | ", errors));
        Assert.DoesNotContain("   at ", r.Json, "a stack trace leaked");
        Assert.IsEmpty(MiniSchema.Validate(Path.Combine(TestPaths.RepoRoot, "schemas", "api-error.schema.json"), doc.RootElement));
    }

    [TestMethod]
    public void OverlongOrRepeatedValues_Are400()
    {
        Assert.AreEqual(400, ExploreApi.Handle("ledger", Q("model", "llama-2-7b", "hardware", "h100-sxm", "scheme", new string('x', 500))).Status);
        Assert.AreEqual(400, ExploreApi.Handle("ledger", Q("model", "llama-2-7b", "hardware", "h100-sxm", "context", "1", "context", "2")).Status);
        Assert.AreEqual(400, ExploreApi.Handle("compare", Q("model", "llama-2-7b", "hardware", "h100-sxm", "context", string.Join(",", Enumerable.Range(1, 40)))).Status);
        var many = ExploreApi.Handle("simulate", Q("model", "llama-2-7b", "hardware", "h100-sxm", "requests", "1M"));
        Assert.AreEqual(400, many.Status);
        StringAssert.Contains(many.Json, "requests:");
        Assert.AreEqual(400, ExploreApi.Handle("simulate", Q("model", "llama-2-7b", "hardware", "h100-sxm", "trace", "/etc/passwd")).Status);
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task Server_OnEphemeralLoopbackPort_ServesPageAndApi_RefusesTheRest()
    {
        var cancel = TestContext.CancellationToken;
        await using var server = await ExploreServer.StartAsync(IPAddress.Loopback, 0, cancel);
        Assert.AreEqual("127.0.0.1", server.Address.Host);
        Assert.AreNotEqual(0, server.Address.Port);
        using var http = new HttpClient { BaseAddress = server.Address };

        string page = await http.GetStringAsync(new Uri("/", UriKind.Relative), cancel);
        StringAssert.Contains(page, "<title>xqsim explore</title>");
        foreach (string asset in new[] { "/", "/app.js", "/app.css" })
        {
            // The SVG namespace is a name, not a fetch; anything else with a scheme would reach outside.
            string text = (await http.GetStringAsync(new Uri(asset, UriKind.Relative), cancel)).Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal);
            Assert.DoesNotContain("http://", text, $"{asset} reaches outside (offline page)");
            Assert.DoesNotContain("https://", text, $"{asset} reaches outside (offline page)");
        }

        var q = Q("model", "llama-2-7b", "hardware", "h100-sxm", "scheme", "xquant:4", "context", "65536", "batch", "2");
        var ok = await http.GetAsync(new Uri("/api/ledger?" + string.Join("&", q.Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value))), UriKind.Relative), cancel);
        Assert.AreEqual(HttpStatusCode.OK, ok.StatusCode);
        Assert.AreEqual("application/json; charset=utf-8", ok.Content.Headers.ContentType!.ToString());
        Assert.AreEqual(CliJson("ledger", q), await ok.Content.ReadAsStringAsync(cancel));

        var bad = await http.GetAsync(new Uri("/api/ledger?model=llama-2-7b&hardware=h100-sxm&batch=-3", UriKind.Relative), cancel);
        Assert.AreEqual(HttpStatusCode.BadRequest, bad.StatusCode);
        StringAssert.Contains(await bad.Content.ReadAsStringAsync(cancel), "batch");

        Assert.AreEqual(HttpStatusCode.NotFound, (await http.GetAsync(new Uri("/../../etc/passwd", UriKind.Relative), cancel)).StatusCode);
        Assert.AreEqual(HttpStatusCode.NotFound, (await http.GetAsync(new Uri("/models/llama-2-7b.json", UriKind.Relative), cancel)).StatusCode);
        using var post = new StringContent("{}");
        Assert.AreEqual(HttpStatusCode.MethodNotAllowed, (await http.PostAsync(new Uri("/api/ledger", UriKind.Relative), post, cancel)).StatusCode);
        var huge = await http.GetAsync(new Uri("/api/ledger?model=" + new string('a', 10_000), UriKind.Relative), cancel);
        Assert.IsTrue(huge.StatusCode is HttpStatusCode.RequestUriTooLong or HttpStatusCode.BadRequest, huge.StatusCode.ToString());

        using var options = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/options", UriKind.Relative), cancel));
        Assert.IsEmpty(MiniSchema.Validate(Path.Combine(TestPaths.RepoRoot, "schemas", "api-options.schema.json"), options.RootElement));
        Assert.IsTrue(options.RootElement.GetProperty("models").EnumerateArray().Any(m => m.GetString() == "llama-2-7b"));
    }

    [TestMethod]
    [DataRow("--port", "70000")]
    [DataRow("--host", "not-an-address")]
    public void Explore_BadOption_IsExit2(string option, string value)
    {
        var (code, output, err) = TestCli.Run("explore", "--no-browser", option, value);
        Assert.AreEqual(2, code);
        Assert.AreEqual("", output);
        StringAssert.Contains(err, option);
    }

    [TestMethod]
    public void Explore_PortInUse_IsExit2_NamingThePort()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var (code, _, err) = TestCli.Run("explore", "--no-browser", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.AreEqual(2, code, err);
        StringAssert.Contains(err, "--port");
    }

    [TestMethod]
    public void Explore_NonLoopbackHost_Warns()
    {
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): never this machine's, so the bind fails after the warning and nothing is exposed.
        var (code, _, err) = TestCli.Run("explore", "--no-browser", "--port", "0", "--host", "192.0.2.1");
        StringAssert.Contains(err, "warning: --host 192.0.2.1 serves the explorer beyond this machine");
        Assert.AreEqual(2, code, err);
    }
}
