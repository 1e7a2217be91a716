using System.Net;
using System.Text.Json.Nodes;
using XQuant.Sim.Cli.Explore;
using XQuant.Sim.Tests.Explore;

namespace XQuant.Sim.Tests.Explore2;

/// <summary>The page in headless Chromium: a node with a TP choice, restored from the URL, and an uploaded config.json used by the views.</summary>
[TestClass]
public sealed class ExploreUploadPageTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Page_NodeWithTp_AndAnUploadedConfig_DriveTheViews()
    {
        var cancel = TestContext.CancellationToken;
        await using var browser = await HeadlessChromium.StartOrSkipAsync(cancel);
        await using var server = await ExploreServer.StartAsync(IPAddress.Loopback, 0, cancel);

        await browser.Open(new Uri(server.Address, "/?model=llama-3.1-70b&hardware=dgx-h100&tp=8&schemes=fp16,kivi:2&context=8192&focus=kivi:2"), cancel);
        Assert.AreEqual("", await browser.Text("document.getElementById('errors').textContent", cancel));
        Assert.AreEqual("dgx-h100", await browser.Text("document.getElementById('hardware').value", cancel));
        Assert.AreEqual("nodes", await browser.Text("document.getElementById('hardware').selectedOptions[0].parentElement.label", cancel));
        Assert.AreEqual("8", await browser.Text("document.getElementById('tp').value", cancel));
        StringAssert.Contains(await browser.Text("document.getElementById('cli-ledger').textContent", cancel), "--hardware dgx-h100 --tp 8 ");
        string tp8 = await browser.Text("document.getElementById('step-table').innerText", cancel);

        // Choosing TP 1 recomputes the views and leaves tp out of the URL.
        int before = (int)(await browser.Evaluate("window.xqUpdates || 0", cancel))!.GetValue<double>();
        await browser.Evaluate("(() => { const t = document.getElementById('tp'); t.value = '1'; t.dispatchEvent(new Event('change', { bubbles: true })); })()", cancel);
        await browser.WaitFor($"(window.xqUpdates || 0) > {before}", cancel);
        Assert.AreNotEqual(tp8, await browser.Text("document.getElementById('step-table').innerText", cancel), "tp did not reach the step times");
        Assert.IsFalse((await browser.Text("location.search", cancel)).Contains("tp=", StringComparison.Ordinal));

        // Upload a config.json through the file control: the server parses and holds it, the views use it.
        var config = JsonNode.Parse(File.ReadAllText(TestPaths.Model("llama-3.1-8b")))!;
        config["num_hidden_layers"] = 12;
        string js = JsonValue.Create(config.ToJsonString())!.ToJsonString();
        before = (int)(await browser.Evaluate("window.xqUpdates || 0", cancel))!.GetValue<double>();
        await browser.Evaluate($$"""
            (() => {
              const input = document.getElementById('model-file');
              const dt = new DataTransfer();
              dt.items.add(new File([{{js}}], 'config.json', { type: 'application/json' }));
              input.files = dt.files;
              input.dispatchEvent(new Event('change', { bubbles: true }));
            })()
            """, cancel);
        await browser.WaitFor($"(window.xqUpdates || 0) > {before} && document.getElementById('model').value.startsWith('upload-')", cancel);
        Assert.AreEqual("", await browser.Text("document.getElementById('errors').textContent", cancel));
        Assert.AreEqual("uploaded", await browser.Text("document.getElementById('model').selectedOptions[0].parentElement.label", cancel));
        StringAssert.Contains(await browser.Text("document.getElementById('cli-ledger').textContent", cancel), "--model config.json");
        StringAssert.Contains(await browser.Text("location.search", cancel), "model=upload-");

        // A config the CLI refuses is refused here with its line, and the view keeps the model it had.
        await browser.Evaluate("""
            (() => {
              const input = document.getElementById('model-file');
              const dt = new DataTransfer();
              dt.items.add(new File(['{"hidden_size": 4096}'], 'config.json', { type: 'application/json' }));
              input.files = dt.files;
              input.dispatchEvent(new Event('change', { bubbles: true }));
            })()
            """, cancel);
        await browser.WaitFor("document.getElementById('errors').textContent.includes('config.json: ')", cancel);
        StringAssert.StartsWith(await browser.Text("document.getElementById('model').value", cancel), "upload-");
        // The refused upload is the one expected failed load (its 400); nothing else went wrong.
        Assert.IsTrue(browser.Errors.All(e => e.Contains("400", StringComparison.Ordinal)), string.Join(" | ", browser.Errors));
    }
}
