using System.CommandLine;
using System.Diagnostics;
using System.Net;
using XQuant.Sim.Cli.Explore;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Cli;

/// <summary>xqsim explore: the cost model in the browser, served from this process on loopback until Ctrl+C.</summary>
public static class ExploreCommand
{
    public static Command Create(CliContext ctx)
    {
        var port = new Option<int>("--port") { Description = "TCP port (0: any free port)", DefaultValueFactory = _ => 8765 };
        var noBrowser = new Option<bool>("--no-browser") { Description = "do not open a browser; just print the address" };
        var host = new Option<string>("--host") { Description = "address to bind (default loopback only; anything else exposes the explorer to the network)", DefaultValueFactory = _ => "127.0.0.1" };
        var command = new Command("explore", "Interactive explorer in the browser: step time, ledger, cache and capacity, roofline, latency vs context, break-even, devices; GET /api/... serves the same JSON as --json.")
        {
            port, noBrowser, host,
        };
        command.SetAction(p =>
        {
            int portValue = p.GetValue(port);
            var errors = new List<InputError>();
            if (portValue is < 0 or > 65535)
            {
                errors.Add(new InputError("--port", "", $"{portValue} is not a TCP port (0..65535)"));
            }
            string hostText = p.GetValue(host)!;
            if (!IPAddress.TryParse(hostText == "localhost" ? "127.0.0.1" : hostText, out var address))
            {
                errors.Add(new InputError("--host", "", $"'{JsonFields.Truncate(hostText)}' is not an IP address (e.g. 127.0.0.1, 0.0.0.0)"));
            }
            if (errors.Count > 0)
            {
                throw new InputException(errors);
            }
            if (!IPAddress.IsLoopback(address!))
            {
                ctx.Error.WriteLine($"xqsim: warning: --host {hostText} serves the explorer beyond this machine; it has no authentication");
            }
            ExploreServer server;
            try
            {
                server = ExploreServer.StartAsync(address!, portValue, ctx.Cancel).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
            {
                throw new InputException("--port", "", $"cannot listen on {hostText}:{portValue} ({e.Message}); try another --port or --port 0");
            }
            try
            {
                ctx.Out.WriteLine($"xqsim explore: {server.Address} (Ctrl+C to stop)");
                if (!p.GetValue(noBrowser))
                {
                    OpenBrowser(server.Address, ctx.Error);
                }
                server.RunUntilAsync(ctx.Cancel).GetAwaiter().GetResult();
            }
            finally
            {
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            ctx.Out.WriteLine("xqsim explore: stopped");
            return CliApp.ExitOk;
        });
        return command;
    }

    private static void OpenBrowser(Uri address, TextWriter error)
    {
        string opener = OperatingSystem.IsWindows() ? "explorer" : OperatingSystem.IsMacOS() ? "open" : "xdg-open";
        try
        {
            using var process = Process.Start(new ProcessStartInfo(opener, address.ToString()) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true });
        }
        catch (System.ComponentModel.Win32Exception)
        {
            error.WriteLine($"xqsim: could not start a browser ({opener}); open {address} yourself");
        }
    }
}
