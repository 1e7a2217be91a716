using System.Net;
using System.Text.Json.Nodes;
using XQuant.Sim.Cli.Explore;
using XQuant.Sim.Tests.Explore;

namespace XQuant.Sim.Tests.Explore2;

/// <summary>The page in headless Chromium: speculative decoding from the URL reaches every view and the CLI lines, and clearing it restores plain decode.</summary>
[TestClass]
public sealed class ExploreSpecPageTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Page_SpecFromTheUrl_ReachesTheViews_AndClearingItRestoresPlainDecode()
    {
        var cancel = TestContext.CancellationToken;
        await using var browser = await HeadlessChromium.StartOrSkipAsync(cancel);
        await using var server = await ExploreServer.StartAsync(IPAddress.Loopback, 0, cancel);

        await browser.Open(new Uri(server.Address, "/?model=llama-3.1-8b&hardware=h100-sxm&schemes=fp16,xquant-gqa:4&context=8192&focus=xquant-gqa:4&spec=k%3D3%2Caccept%3D0.7%2Cdraft%3Dllama-3.2-1b"), cancel);
        Assert.AreEqual("", await browser.Text("document.getElementById('errors').textContent", cancel));
        Assert.AreEqual("k=3,accept=0.7,draft=llama-3.2-1b", await browser.Text("document.getElementById('spec').value", cancel));
        StringAssert.Contains(await browser.Text("document.getElementById('cli-ledger').textContent", cancel), "--spec k=3,accept=0.7,draft=llama-3.2-1b");
        StringAssert.Contains(await browser.Text("document.getElementById('cli-breakeven').textContent", cancel), "--spec k=3,accept=0.7,draft=llama-3.2-1b");
        string withSpec = await browser.Text("document.getElementById('step-table').innerText", cancel);
        StringAssert.Contains(withSpec, "per token (spec)");

        int before = (int)(await browser.Evaluate("window.xqUpdates || 0", cancel))!.GetValue<double>();
        await browser.Evaluate("(() => { const s = document.getElementById('spec'); s.value = ''; s.dispatchEvent(new Event('change', { bubbles: true })); })()", cancel);
        await browser.WaitFor($"(window.xqUpdates || 0) > {before}", cancel);
        string plain = await browser.Text("document.getElementById('step-table').innerText", cancel);
        Assert.DoesNotContain("per token (spec)", plain);
        Assert.AreNotEqual(withSpec, plain);
        Assert.IsFalse((await browser.Text("location.search", cancel)).Contains("spec=", StringComparison.Ordinal));
        Assert.DoesNotContain("--spec", await browser.Text("document.getElementById('cli-ledger').textContent", cancel));
        Assert.IsEmpty(browser.Errors, string.Join(" | ", browser.Errors));
    }
}
