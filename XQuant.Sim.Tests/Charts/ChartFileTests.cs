using System.Buffers.Binary;
using System.Xml.Linq;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Rendering.Charts;
using XQuant.Sim.Rendering.Export;
using XQuant.Sim.Rendering.Reports;
using XQuant.Sim.Studies.Scenarios;
using XQuant.Sim.Tests.Reports;

namespace XQuant.Sim.Tests.Charts;

[TestClass]
public sealed class ChartFileTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Checks the PNG signature and reads width and height from the IHDR chunk.</summary>
    public static (int Width, int Height) PngSize(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.IsGreaterThan(33, bytes.Length, $"{path} is too short for a PNG");
        CollectionAssert.AreEqual(PngSignature, bytes[..8], $"{path} has no PNG signature");
        Assert.AreEqual("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4), $"{path}: first chunk is not IHDR");
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    public static void AssertSvg(string path, int width, int height)
    {
        var doc = XDocument.Load(path);
        Assert.AreEqual("svg", doc.Root!.Name.LocalName, $"{path}: root is not <svg>");
        Assert.AreEqual(width.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)doc.Root.Attribute("width"));
        Assert.AreEqual(height.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)doc.Root.Attribute("height"));
    }

    [TestMethod]
    [DataRow("roofline.png", 1100, 720)]
    [DataRow("roofline.svg", 1100, 720)]
    [DataRow("small.png", 640, 480)]
    public void RooflineCommand_WritesFormatByExtension(string name, int width, int height)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), name);
        var (code, o, e) = ReportFixtures.Cli("roofline", "--hardware", "h100-sxm", "--model", "llama-3.1-8b", "--schemes", "fp16,kivi:2,xquant-gqa:2",
            "--context", "32768", "--batch", "1", "--out", path, "--width", width.ToString(System.Globalization.CultureInfo.InvariantCulture), "--height", height.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.AreEqual(0, code, e);
        Assert.Contains(path, o);
        if (name.EndsWith(".svg", StringComparison.Ordinal))
        {
            AssertSvg(path, width, height);
            Assert.Contains("<svg", File.ReadAllText(path));
        }
        else
        {
            Assert.AreEqual((width, height), PngSize(path));
        }
    }

    [TestMethod]
    public void RooflineCommand_BadExtension_Exit2_NoFile()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "roofline.jpg");
        var (code, _, e) = ReportFixtures.Cli("roofline", "--hardware", "h100-sxm", "--model", "llama-3.1-8b", "--out", path);
        Assert.AreEqual(2, code);
        Assert.Contains("must end in .png or .svg", e);
        Assert.IsFalse(File.Exists(path));
    }

    [TestMethod]
    public void RunCommand_WritesTheChartsTheScenarioAsksFor()
    {
        string dir = TestPaths.NewTempDir();
        var scenario = ScenarioLoader.Load(Path.Combine(TestPaths.Scenarios, "quickstart.json"));
        Assert.Contains(OutputKind.Charts, scenario.Outputs);
        var run = ScenarioRunner.Run(scenario);
        var written = OutputSet.Write(dir, ChartExporter.Default.Files(run));
        var figures = ChartSet.For(run.Cases, ChartSet.DefaultFocus(run.Cases));
        Assert.HasCount(figures.Count * 2, written);
        foreach (var f in figures)
        {
            Assert.AreEqual((f.Width, f.Height), PngSize(Path.Combine(dir, "charts", f.Name + ".png")), f.Name);
            AssertSvg(Path.Combine(dir, "charts", f.Name + ".svg"), f.Width, f.Height);
        }
        foreach (string kind in new[] { "roofline-h100-sxm", "latency-rngd", "memory", "throughput-h100-sxm", "capacity-32768" })
        {
            Assert.IsTrue(figures.Any(f => f.Name.EndsWith(kind, StringComparison.Ordinal)), kind);
        }
        Assert.IsTrue(Exporters.For(scenario).Contains(ChartExporter.Default));
    }

    [TestMethod]
    public void Svg_IsByteIdenticalAcrossRenders()
    {
        var result = ReportFixtures.SmallResult;
        foreach (var f in ChartSet.For(result.ChartCases, CompareReport.Focus(result)))
        {
            using var a = f.Build();
            using var b = f.Build();
            Assert.AreEqual(ChartFile.Svg(a, f.Width, f.Height), ChartFile.Svg(b, f.Width, f.Height), f.Name);
        }
    }
}
