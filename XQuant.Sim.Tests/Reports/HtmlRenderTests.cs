using System.Diagnostics;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Rendering.Reports;

namespace XQuant.Sim.Tests.Reports;

[TestClass]
public sealed class HtmlRenderTests
{
    private static string? FindChromium()
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

    /// <summary>The self-contained page renders offline in headless Chromium (no network, fresh profile).</summary>
    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public void HtmlReport_RendersInHeadlessChromium()
    {
        string? chromium = FindChromium();
        if (chromium is null)
        {
            Assert.Inconclusive("SKIPPED: chromium is not installed (apt-get install -y chromium; .ci/run installs it); the HTML report was not rendered.");
        }
        string dir = TestPaths.NewTempDir();
        OutputSet.Write(dir, CompareReport.Files(ReportFixtures.SmallResult));
        string html = Path.Combine(dir, "report.html");
        Directory.Move(Path.Combine(dir, "charts"), Path.Combine(dir, "charts-moved")); // the page must not need the chart files
        string shot = Path.Combine(dir, "shot.png");
        var psi = new ProcessStartInfo(chromium!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--hide-scrollbars", $"--user-data-dir={Path.Combine(dir, "profile")}",
            $"--screenshot={shot}", "--window-size=1200,2000", new Uri(html).AbsoluteUri,
        })
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(45_000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("chromium did not finish within 45 s");
        }
        Assert.IsTrue(File.Exists(shot), $"no screenshot; chromium exit {p.ExitCode}: {stderr.Result}");
        var (w, h) = Charts.ChartFileTests.PngSize(shot);
        Assert.AreEqual((1200, 2000), (w, h));
        Assert.IsGreaterThan(20_000, new FileInfo(shot).Length, "screenshot is suspiciously small (blank page?)");
    }
}
