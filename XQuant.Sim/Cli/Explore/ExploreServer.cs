using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace XQuant.Sim.Cli.Explore;

/// <summary>
/// The explorer's web server: the embedded page and GET /api/{command}. Bound to the address it is given (loopback
/// unless --host says otherwise); requests are small GETs, a computation runs at most <see cref="ComputeTimeout"/>
/// and at most <see cref="MaxConcurrentComputations"/> at once, and nothing is read from disk but shipped data.
/// </summary>
public sealed class ExploreServer : IAsyncDisposable
{
    public static readonly TimeSpan ComputeTimeout = TimeSpan.FromSeconds(10);
    public const int MaxConcurrentComputations = 4;

    private static readonly Dictionary<string, string> Assets = new(StringComparer.Ordinal)
    {
        ["/"] = "index.html",
        ["/index.html"] = "index.html",
        ["/app.js"] = "app.js",
        ["/app.css"] = "app.css",
    };

    private readonly WebApplication _app;
    private readonly SemaphoreSlim _compute = new(MaxConcurrentComputations);
    private readonly ModelUploads _uploads = new();

    private ExploreServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Where the page is served (the port the OS chose when 0 was asked for).</summary>
    public Uri Address { get; }

    public static async Task<ExploreServer> StartAsync(IPAddress host, int port, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(host);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(host, port);
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 1024;
            k.Limits.MaxRequestLineSize = 4096;
            k.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            k.Limits.MaxConcurrentConnections = 64;
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
        });
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        ExploreServer? server = null;
        app.UseRouting();
        app.MapGet("/api/{command}", (HttpContext http, string command) => server!.Api(http, command));
        app.MapPost("/api/models", (HttpContext http) => server!.Upload(http));
        app.MapGet("/{**path}", (HttpContext http) => Asset(http));
        await app.StartAsync(cancel).ConfigureAwait(false);
        string bound = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new ExploreServer(app, new Uri(bound.Replace("[::]", "localhost", StringComparison.Ordinal) + "/"));
        return server;
    }

    private async Task Api(HttpContext http, string command)
    {
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["X-Content-Type-Options"] = "nosniff";
        var query = http.Request.Query.SelectMany(q => q.Value.Select(v => KeyValuePair.Create(q.Key, v ?? ""))).ToList();
        ApiResponse response;
        if (!await _compute.WaitAsync(ComputeTimeout, http.RequestAborted).ConfigureAwait(false))
        {
            response = ExploreApi.Errors(503, ["the server is busy; try again"]);
        }
        else
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
                timeout.CancelAfter(ComputeTimeout);
                var uploads = _uploads.Snapshot();
                var work = Task.Run(() => ExploreApi.Handle(command, query, uploads, timeout.Token), CancellationToken.None);
                response = await work.WaitAsync(ComputeTimeout, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                response = ExploreApi.Errors(503, [$"the computation took longer than {ComputeTimeout.TotalSeconds:0} s; ask for fewer schemes, devices or contexts"]);
            }
            finally
            {
                _compute.Release();
            }
        }
        http.Response.StatusCode = response.Status;
        http.Response.ContentType = "application/json; charset=utf-8";
        await http.Response.WriteAsync(response.Json, http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// POST /api/models: one config.json as the body (application/json, at most <see cref="ModelUploads.MaxBytes"/>;
    /// the 1 KiB limit of every other request is raised for this route only). The JSON content type also keeps other
    /// web pages from posting here without a CORS preflight, which this server never grants.
    /// </summary>
    private async Task Upload(HttpContext http)
    {
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["X-Content-Type-Options"] = "nosniff";
        ApiResponse response;
        string type = http.Request.ContentType ?? "";
        if (!type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            response = ExploreApi.Errors(415, [$"{ModelUploads.SourceName}: send the file as application/json (got '{Foundation.Input.JsonFields.Truncate(type)}')"]);
        }
        else if (http.Request.ContentLength > ModelUploads.MaxBytes)
        {
            response = ExploreApi.Errors(413, [$"{ModelUploads.SourceName}: {http.Request.ContentLength} bytes, larger than the {ModelUploads.MaxBytes / 1024} KiB an upload may be"]);
        }
        else
        {
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = ModelUploads.MaxBytes + 1;
            }
            // Read one byte past the limit so a body without Content-Length is refused, never buffered whole.
            var buffer = new byte[ModelUploads.MaxBytes + 1];
            int length = 0;
            try
            {
                int n;
                while (length < buffer.Length && (n = await http.Request.Body.ReadAsync(buffer.AsMemory(length), http.RequestAborted).ConfigureAwait(false)) > 0)
                {
                    length += n;
                }
                response = _uploads.Add(buffer.AsSpan(0, length));
            }
            catch (Microsoft.AspNetCore.Http.BadHttpRequestException)
            {
                response = ExploreApi.Errors(413, [$"{ModelUploads.SourceName}: larger than the {ModelUploads.MaxBytes / 1024} KiB an upload may be"]);
            }
        }
        http.Response.StatusCode = response.Status;
        http.Response.ContentType = "application/json; charset=utf-8";
        await http.Response.WriteAsync(response.Json, http.RequestAborted).ConfigureAwait(false);
    }

    private static async Task Asset(HttpContext http)
    {
        http.Response.Headers["X-Content-Type-Options"] = "nosniff";
        http.Response.Headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'";
        if (!Assets.TryGetValue(http.Request.Path.Value ?? "/", out string? name))
        {
            http.Response.StatusCode = 404;
            http.Response.ContentType = "text/plain; charset=utf-8";
            await http.Response.WriteAsync("not found\n").ConfigureAwait(false);
            return;
        }
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("explore/" + name)
            ?? throw new InvalidOperationException($"embedded asset {name} is missing from the build");
        http.Response.ContentType = name.EndsWith(".js", StringComparison.Ordinal) ? "text/javascript; charset=utf-8"
            : name.EndsWith(".css", StringComparison.Ordinal) ? "text/css; charset=utf-8"
            : "text/html; charset=utf-8";
        await stream.CopyToAsync(http.Response.Body).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs until the token is cancelled or the host is told to stop. The host's console lifetime takes SIGINT and
    /// SIGTERM for itself (it never reaches Program's Ctrl+C handler), so its stopping signal ends the wait as well.
    /// </summary>
    public async Task RunUntilAsync(CancellationToken cancel)
    {
        var stopping = _app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancel, stopping);
        try
        {
            await Task.Delay(Timeout.Infinite, either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C or SIGTERM is how the explorer ends.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _compute.Dispose();
    }
}
