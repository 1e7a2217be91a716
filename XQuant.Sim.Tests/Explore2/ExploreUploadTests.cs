using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using XQuant.Sim.Cli.Explore;
using XQuant.Sim.Tests.Explore;
using XQuant.Sim.Tests.Hardening;
using static XQuant.Sim.Tests.Explore.ExploreQuery;

namespace XQuant.Sim.Tests.Explore2;

/// <summary>
/// An uploaded config.json: the CLI's parsing rules (same refusals, a 400 naming the field), memory only, bounded in
/// size, and usable by every view with numbers equal to the CLI run on the same file.
/// </summary>
[TestClass]
public sealed class ExploreUploadTests
{
    public TestContext TestContext { get; set; } = null!;

    private static string Schema(string name) => Path.Combine(TestPaths.RepoRoot, "schemas", name + ".schema.json");

    private static string UploadedId(ApiResponse r)
    {
        Assert.AreEqual(200, r.Status, r.Json);
        using var doc = JsonDocument.Parse(r.Json);
        Assert.IsEmpty(MiniSchema.Validate(Schema("api-upload"), doc.RootElement));
        return doc.RootElement.GetProperty("model").GetString()!;
    }

    /// <summary>A Qwen-like GQA config that is not shipped, as a user would upload it.</summary>
    private static byte[] Config(Action<JsonObject>? edit = null)
    {
        var node = JsonNode.Parse(File.ReadAllText(TestPaths.Model("llama-3.1-8b")))!.AsObject();
        node["num_hidden_layers"] = 20;
        node["num_key_value_heads"] = 4;
        edit?.Invoke(node);
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    [TestMethod]
    public void UploadedModel_InEveryView_EqualsTheCliOnTheSameFile()
    {
        var uploads = new ModelUploads();
        byte[] bytes = Config();
        string id = UploadedId(uploads.Add(bytes));
        StringAssert.StartsWith(id, ModelUploads.Prefix);
        using var s = new HardeningRun.Scratch();
        // The CLI names a model after its file: the same file under the upload's id gives byte-identical documents.
        string file = s.Path(id + ".json");
        File.WriteAllBytes(file, bytes);
        var held = uploads.Snapshot();
        var cases = new (string Command, string[] Query)[]
        {
            ("ledger", ["hardware", "h100-sxm", "scheme", "xquant-gqa:4", "context", "8192", "batch", "4"]),
            ("ledger", ["hardware", "dgx-h100", "scheme", "kivi:2", "context", "32768", "tp", "4"]),
            ("memory", ["schemes", "fp16,kivi:2", "context", "4096", "batch", "8"]),
            ("breakeven", ["hardware", "h100-sxm", "scheme", "xquant-gqa:4"]),
            ("compare", ["hardware", "h100-sxm,mi300x", "schemes", "fp16,kivi:4", "context", "4096"]),
            ("simulate", ["hardware", "h100-sxm", "schemes", "fp16", "rate", "2", "requests", "50"]),
        };
        foreach (var (command, query) in cases)
        {
            var api = ExploreApi.Handle(command, Q(["model", id, .. query]), held);
            Assert.AreEqual(200, api.Status, $"{command}: {api.Json}");
            var (code, cli, err) = HardeningRun.RunCli([command, "--model", file, .. query.Select((v, i) => i % 2 == 0 ? "--" + v : v), "--json"]);
            Assert.AreEqual(0, code, err);
            Assert.AreEqual(cli, api.Json, command);
            StringAssert.Contains(api.Json, id);
        }
        // Not held by this call: an unknown id is a 400 naming model, as before.
        Assert.AreEqual(400, ExploreApi.Handle("ledger", Q("model", id, "hardware", "h100-sxm")).Status);
    }

    [TestMethod]
    [DataRow("num_attention_heads", "is missing")]
    [DataRow("hidden_size", "-4096")]
    public void BadConfig_Is400_WithTheCliLines(string field, string value)
    {
        byte[] bytes = Config(n =>
        {
            if (value == "is missing")
            {
                n.Remove(field);
            }
            else
            {
                n[field] = JsonNode.Parse(value);
            }
        });
        var r = new ModelUploads().Add(bytes);
        Assert.AreEqual(400, r.Status);
        using var doc = JsonDocument.Parse(r.Json);
        Assert.IsEmpty(MiniSchema.Validate(Schema("api-error"), doc.RootElement));
        var lines = doc.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        // The same lines the CLI prints for a config.json with this problem.
        using var s = new HardeningRun.Scratch();
        string file = s.Path("config.json");
        File.WriteAllBytes(file, bytes);
        var (code, _, err) = HardeningRun.RunCli("ledger", "--model", file, "-H", "h100-sxm");
        Assert.AreEqual(2, code);
        var cliLines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Replace(file, "config.json", StringComparison.Ordinal)).ToList();
        CollectionAssert.AreEqual(cliLines, lines);
        Assert.IsTrue(lines.All(l => l.StartsWith($"config.json: {field}", StringComparison.Ordinal)), string.Join("\n", lines));
    }

    [TestMethod]
    public void NotJson_Oversized_AndHoldingAtMost32()
    {
        var uploads = new ModelUploads();
        var r = uploads.Add("{\"hidden_size\": 4096,"u8);
        Assert.AreEqual(400, r.Status);
        StringAssert.Contains(r.Json, "config.json");
        Assert.AreEqual(413, uploads.Add(new byte[ModelUploads.MaxBytes + 1]).Status);
        var ids = Enumerable.Range(0, ModelUploads.MaxModels + 3).Select(i => UploadedId(uploads.Add(Config(n => n["num_hidden_layers"] = i + 1)))).ToList();
        var held = uploads.Snapshot();
        Assert.AreEqual(ModelUploads.MaxModels, held.Count);
        Assert.IsFalse(held.ContainsKey(ids[0]), "the oldest goes first");
        Assert.IsTrue(held.ContainsKey(ids[^1]));
        Assert.AreEqual(ids[^1], UploadedId(uploads.Add(Config(n => n["num_hidden_layers"] = ModelUploads.MaxModels + 3))), "same bytes, same id");
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task Server_AcceptsAnUpload_RefusesOtherTypesAndSizes_WritesNothing()
    {
        var cancel = TestContext.CancellationToken;
        string[] before = Directory.GetFileSystemEntries(TestPaths.Models);
        await using var server = await ExploreServer.StartAsync(IPAddress.Loopback, 0, cancel);
        using var http = new HttpClient { BaseAddress = server.Address };
        using var body = new ByteArrayContent(Config());
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var ok = await http.PostAsync(new Uri("/api/models", UriKind.Relative), body, cancel);
        string okJson = await ok.Content.ReadAsStringAsync(cancel);
        Assert.AreEqual(HttpStatusCode.OK, ok.StatusCode, okJson);
        string id = JsonDocument.Parse(okJson).RootElement.GetProperty("model").GetString()!;

        using var ledger = await http.GetAsync(new Uri($"/api/ledger?model={id}&hardware=h100-sxm&scheme=kivi:2", UriKind.Relative), cancel);
        Assert.AreEqual(HttpStatusCode.OK, ledger.StatusCode, await ledger.Content.ReadAsStringAsync(cancel));
        using var options = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/options", UriKind.Relative), cancel));
        Assert.IsEmpty(MiniSchema.Validate(Schema("api-options"), options.RootElement));
        Assert.AreEqual(id, options.RootElement.GetProperty("uploaded_models")[0].GetString());

        using var text = new StringContent("{}", Encoding.UTF8, "text/plain");
        using var wrongType = await http.PostAsync(new Uri("/api/models", UriKind.Relative), text, cancel);
        Assert.AreEqual(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
        using var big = new ByteArrayContent(new byte[ModelUploads.MaxBytes + 10]);
        big.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var tooBig = await http.PostAsync(new Uri("/api/models", UriKind.Relative), big, cancel);
        Assert.AreEqual(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        // Other routes keep their 1 KiB body limit and GET-only methods.
        using var small = new StringContent("{}", Encoding.UTF8, "application/json");
        // A fresh connection: the server closes the one whose oversized body it did not read.
        using var http2 = new HttpClient { BaseAddress = server.Address };
        using var postLedger = await http2.PostAsync(new Uri("/api/ledger", UriKind.Relative), small, cancel);
        Assert.AreEqual(HttpStatusCode.MethodNotAllowed, postLedger.StatusCode);
        CollectionAssert.AreEquivalent(before, Directory.GetFileSystemEntries(TestPaths.Models), "an upload writes nothing");
    }
}
