using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace XQuant.Sim.Tests.Explore;

/// <summary>
/// A headless Chromium driven over its DevTools protocol (a WebSocket on loopback): navigate, evaluate, screenshot,
/// and every console error or uncaught exception the page raises. No Playwright download: the system chromium.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly string _profile;
    private Task? _reader;
    private int _nextId;

    private HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>Console errors, uncaught exceptions and failed loads, as the browser reported them.</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    public static string? Find()
    {
        foreach (string name in new[] { "chromium", "chromium-browser", "google-chrome" })
        {
            foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                string candidate = Path.Combine(dir, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    /// <summary>The browser every page test drives (1200 x 1500), or the test ends Inconclusive where no Chromium is installed.</summary>
    public static async Task<HeadlessChromium> StartOrSkipAsync(CancellationToken cancel)
    {
        string? chromium = Find();
        if (chromium is null)
        {
            Assert.Inconclusive("SKIPPED: chromium is not installed (apt-get install -y chromium; .ci/run installs it); the explorer page was not driven.");
        }
        return await StartAsync(chromium!, 1200, 1500, cancel);
    }

    public static async Task<HeadlessChromium> StartAsync(string executable, int width, int height, CancellationToken cancel)
    {
        string profile = TestPaths.NewTempDir();
        var psi = new ProcessStartInfo(executable) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--hide-scrollbars", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
            $"--user-data-dir={profile}", $"--window-size={width},{height}", "about:blank",
        })
        {
            psi.ArgumentList.Add(a);
        }
        var process = Process.Start(psi)!;
        var browser = new HeadlessChromium(process, profile);
        _ = process.StandardOutput.ReadToEndAsync(cancel);
        try
        {
            // Chromium prints "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID" once it is ready.
            string? wsBrowser = null;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            deadline.CancelAfter(TimeSpan.FromSeconds(30));
            while (wsBrowser is null)
            {
                string? line = await process.StandardError.ReadLineAsync(deadline.Token);
                if (line is null)
                {
                    throw new InvalidOperationException("chromium exited before it opened the DevTools port");
                }
                int at = line.IndexOf("ws://", StringComparison.Ordinal);
                if (line.StartsWith("DevTools listening on", StringComparison.Ordinal) && at >= 0)
                {
                    wsBrowser = line[at..].Trim();
                }
            }
            _ = process.StandardError.ReadToEndAsync(cancel);
            var port = new Uri(wsBrowser).Port;
            using var http = new HttpClient();
            var list = JsonNode.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/json/list"), cancel))!.AsArray();
            string pageWs = list.First(t => (string?)t!["type"] == "page")!["webSocketDebuggerUrl"]!.GetValue<string>();
            await browser._socket.ConnectAsync(new Uri(pageWs), cancel);
            browser._reader = Task.Run(browser.ReadLoop, CancellationToken.None);
            await browser.Send("Runtime.enable", null, cancel);
            await browser.Send("Log.enable", null, cancel);
            await browser.Send("Page.enable", null, cancel);
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    public async Task<JsonObject> Send(string method, JsonObject? parameters, CancellationToken cancel)
    {
        int id = Interlocked.Increment(ref _nextId);
        var tcs = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = tcs;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, cancel);
        var reply = await tcs.Task.WaitAsync(TimeSpan.FromSeconds(30), cancel);
        if (reply["error"] is { } error)
        {
            throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
        }
        return reply["result"]?.AsObject() ?? [];
    }

    /// <summary>Evaluates an expression (awaiting a promise) and returns its value as JSON.</summary>
    public async Task<JsonNode?> Evaluate(string expression, CancellationToken cancel)
    {
        var result = await Send("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true }, cancel);
        if (result["exceptionDetails"] is { } ex)
        {
            throw new InvalidOperationException($"evaluate failed: {ex.ToJsonString()}");
        }
        return result["result"]?["value"]?.DeepClone();
    }

    /// <summary>An expression's value as text ("" when it is not a plain value).</summary>
    public async Task<string> Text(string expression, CancellationToken cancel) =>
        (await Evaluate(expression, cancel)) is JsonValue v ? v.ToString() : "";

    /// <summary>Loads the explorer page at <paramref name="url"/> and waits until it has drawn its first views.</summary>
    public async Task Open(Uri url, CancellationToken cancel)
    {
        await Navigate(url, cancel);
        await WaitFor("document.body.dataset.ready === 'true'", cancel);
    }

    public async Task Navigate(Uri url, CancellationToken cancel) =>
        await Send("Page.navigate", new JsonObject { ["url"] = url.AbsoluteUri }, cancel);

    /// <summary>Polls an expression until it is true (the page sets flags when a round of updates is done).</summary>
    public async Task WaitFor(string condition, CancellationToken cancel, int timeoutMs = 20_000)
    {
        var sw = Stopwatch.StartNew();
        while (sw.ElapsedMilliseconds < timeoutMs)
        {
            if (await Evaluate($"(() => {{ try {{ return Boolean({condition}); }} catch {{ return false; }} }})()", cancel) is JsonValue v && v.GetValue<bool>())
            {
                return;
            }
            await Task.Delay(20, cancel);
        }
        throw new TimeoutException($"the page never satisfied: {condition}; errors: {string.Join(" | ", Errors)}");
    }

    public async Task<byte[]> Screenshot(CancellationToken cancel)
    {
        var r = await Send("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = false }, cancel);
        return Convert.FromBase64String(r["data"]!.GetValue<string>());
    }

    private async Task ReadLoop()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open && !_stop.IsCancellationRequested)
            {
                var r = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                message.Write(buffer, 0, r.Count);
                if (!r.EndOfMessage)
                {
                    continue;
                }
                var node = JsonNode.Parse(message.ToArray())!.AsObject();
                message.SetLength(0);
                if (node["id"] is { } id && _pending.TryRemove(id.GetValue<int>(), out var tcs))
                {
                    tcs.TrySetResult(node);
                    continue;
                }
                switch ((string?)node["method"])
                {
                    case "Runtime.consoleAPICalled" when (string?)node["params"]!["type"] is "error" or "assert":
                        Errors.Enqueue("console." + node["params"]!["type"] + ": " + node["params"]!["args"]!.ToJsonString());
                        break;
                    case "Runtime.exceptionThrown":
                        Errors.Enqueue("exception: " + node["params"]!["exceptionDetails"]!.ToJsonString());
                        break;
                    case "Log.entryAdded" when (string?)node["params"]!["entry"]!["level"] == "error":
                        Errors.Enqueue("log: " + node["params"]!["entry"]!["text"] + " " + node["params"]!["entry"]!["url"]);
                        break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or JsonException)
        {
            // The browser went away or the test ended; pending calls time out with their own message.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", quick.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // Closing is best effort; the process is killed next.
        }
        if (_reader is not null)
        {
            await Task.WhenAny(_reader, Task.Delay(2000));
        }
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _socket.Dispose();
        _stop.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be flushing its profile; the temp folder is cleaned with the others.
        }
    }
}
