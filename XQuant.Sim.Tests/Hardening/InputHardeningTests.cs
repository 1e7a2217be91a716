using XQuant.Sim.Cli;
using XQuant.Sim.Domain.Schemes;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Studies.Accuracy;
using XQuant.Sim.Studies.Scenarios;
using static XQuant.Sim.Tests.Hardening.HardeningRun;

namespace XQuant.Sim.Tests.Hardening;

/// <summary>The input promises of docs/robustness.md: exit 2 with one line for every bad input, never a hang.</summary>
[TestClass]
public sealed class InputHardeningTests
{
    private static void OneLineExit2((int Code, string Out, string Err) r, string mustContain)
    {
        Assert.AreEqual(2, r.Code, r.Err);
        Assert.HasCount(1, r.Err.Trim().Split('\n'), r.Err);
        StringAssert.Contains(r.Err, mustContain);
    }

    private static string Scenario(Scratch s, string name)
    {
        string text = File.ReadAllText(Path.Combine(TestPaths.Scenarios, "quickstart.json"));
        var doc = System.Text.Json.Nodes.JsonNode.Parse(text)!;
        doc["name"] = name;
        doc.AsObject().Remove("$schema");
        string path = s.Path("scenario.json");
        File.WriteAllText(path, doc.ToJsonString());
        return path;
    }

    [TestMethod]
    [DataRow("/abs/path")]
    [DataRow("..")]
    [DataRow("../../x")]
    [DataRow("a\\b")]
    [DataRow("tab\there")]
    [DataRow(".hidden")]
    public void ScenarioNamesThatAreNotIdentifiers_AreExit2(string name)
    {
        using var s = new Scratch();
        string path = Scenario(s, name);
        var r = RunCli("run", path, "--out", s.Path("out"));
        Assert.AreEqual(2, r.Code, r.Err);
        StringAssert.Contains(r.Err, ": name: ");
        Assert.IsFalse(Directory.Exists(s.Path("out")));
        Assert.IsFalse(r.Err.Any(c => c == '\t'), "a control character was echoed raw");
    }

    [TestMethod]
    public void ScenarioNameLimits()
    {
        Assert.IsNull(ScenarioNames.Problem(new string('a', 100)));
        Assert.IsNotNull(ScenarioNames.Problem(new string('a', 101)));
        Assert.IsNull(ScenarioNames.Problem("sweep-1m"));
    }

    [TestMethod]
    public void UnknownCommand_NamesItAndTheClosestKnownOne()
    {
        var r = RunCli("memroy", "-m", "llama-2-7b");
        OneLineExit2(r, "unknown command 'memroy'; did you mean 'memory'?");
        OneLineExit2(RunCli("zzzzzzzzzzzzzz"), "unknown command 'zzzzzzzzzzzzzz'");
    }

    [TestMethod]
    [DataRow("ledger", "")]
    [DataRow("ledger", ",")]
    [DataRow("breakeven", "")]
    [DataRow("roofline", ",")]
    [DataRow("memory", "")]
    [DataRow("compare", ",")]
    public void EmptySchemeLists_AreExit2(string command, string schemes)
    {
        using var s = new Scratch();
        string[] args = command switch
        {
            "memory" => ["memory", "-m", "llama-2-7b", "-s", schemes],
            "compare" => ["compare", "-H", "h100-sxm", "-m", "llama-2-7b", "-s", schemes, "--out", s.Path("o")],
            "roofline" => ["roofline", "-H", "h100-sxm", "-m", "llama-2-7b", "-s", schemes, "--out", s.Path("r.png")],
            _ => [command, "-H", "h100-sxm", "-m", "llama-2-7b", "--scheme", schemes],
        };
        var r = RunCli(args);
        Assert.AreEqual(2, r.Code, r.Err + r.Out);
        StringAssert.Contains(r.Err, "needs at least one scheme");
        Assert.IsEmpty(Scratch.Leftovers(s.Dir));
    }

    [TestMethod]
    public void DuplicateListValues_AreCostedOnce()
    {
        CollectionAssert.AreEqual(new long[] { 1, 2 }, CliOptions.PositiveList("1,1,2,1", "--batch", 100).ToArray());
        CollectionAssert.AreEqual(new[] { "h100-sxm", "b200" }, CliOptions.NameList("h100-sxm,b200,h100-sxm").ToArray());
        Assert.HasCount(2, SchemeRegistry.ParseList(["fp16", "kivi:2", "fp16"], "--schemes"));
    }

    [TestMethod]
    public void ControlCharactersInErrors_AreEscaped_OneLineStaysOneLine()
    {
        string line = new InputError("evil\n\u001b[31mname", "f\r", "bad\u0007").ToString();
        Assert.IsFalse(line.Any(char.IsControl), line);
        StringAssert.Contains(line, "\\n\\e[31mname");
        var r = RunCli("memory", "-m", "no-such-\u001b[2J-model");
        Assert.AreEqual(2, r.Code);
        Assert.IsFalse(r.Err.TrimEnd().Any(c => c == '\u001b'), r.Err);
    }

    [TestMethod]
    public void DeviceAsModelConfig_IsRefused_NotRead()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("devices are tested on Linux");
        }
        OneLineExit2(RunCli("memory", "-m", "/dev/zero"), "not a regular file");
    }

    [TestMethod]
    [Timeout(20_000, CooperativeCancellation = true)]
    public void FifoAsModelConfigOrProfile_IsRefused_WithoutHanging()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("FIFOs are tested on Linux");
        }
        using var s = new Scratch();
        string fifo = s.Path("config.json");
        MakeFifo(fifo);
        OneLineExit2(RunCli("memory", "-m", fifo), "not a regular file");
        OneLineExit2(RunCli("ledger", "-H", fifo, "-m", "llama-2-7b"), "not a regular file");
        OneLineExit2(RunCli("run", fifo), "not a regular file");
    }

    [TestMethod]
    public void OversizedJson_IsRefusedBeforeReading()
    {
        using var s = new Scratch();
        string big = s.Path("big.json");
        using (var f = File.Create(big))
        {
            f.SetLength(InputFiles.MaxJsonBytes + 1); // sparse: no disk used
        }
        OneLineExit2(RunCli("memory", "-m", big), "16 MiB limit");
    }

    [TestMethod]
    public void Utf8ByteOrderMark_IsAccepted()
    {
        using var s = new Scratch();
        string path = s.Path("bom-model.json");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. File.ReadAllBytes(TestPaths.Model("llama-2-7b"))]);
        var r = RunCli("memory", "-m", path);
        Assert.AreEqual(0, r.Code, r.Err);
    }

    [TestMethod]
    public void LinkedInputs_AreSizedByTheirTarget()
    {
        using var s = new Scratch();
        string blob = s.Path("blob");
        File.Copy(TestPaths.Model("llama-2-7b"), blob);
        string link = s.Path("config.json");
        File.CreateSymbolicLink(link, blob);
        Assert.IsNull(InputFiles.Problem(link, 10_000));
        Assert.AreEqual(Path.GetFullPath(blob), InputFiles.Resolve(link));
        Assert.AreEqual(0, RunCli("memory", "-m", link).Code);
    }

    [TestMethod]
    public void TextIsTokenizedOnlyAsFarAsNeeded()
    {
        using var s = new Scratch();
        string path = s.Path("big.txt");
        File.WriteAllText(path, string.Concat(Enumerable.Repeat("word ", 400_000))); // 2 MB
        int longest = 0;
        var ids = TextPrefix.Encode(path, 40, text =>
        {
            longest = Math.Max(longest, text.Length);
            return text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(_ => 7).ToList();
        });
        Assert.HasCount(40, ids);
        Assert.IsLessThanOrEqualTo(4096, longest);
        // A short file is read to its end.
        File.WriteAllText(path, "a b c");
        Assert.HasCount(3, TextPrefix.Encode(path, 40, t => t.Split(' ').Select(_ => 1).ToList()));
    }

    [TestMethod]
    public void HugeSweep_IsRefusedWithoutYes_AndSaysHowBig()
    {
        using var s = new Scratch();
        var doc = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.Scenarios, "sweep-1m.json")))!;
        doc.AsObject().Remove("$schema");
        doc["name"] = "huge";
        doc["context"] = new System.Text.Json.Nodes.JsonArray(Enumerable.Range(1, 400).Select(i => (System.Text.Json.Nodes.JsonNode?)(i * 256)).ToArray());
        string path = s.Path("huge.json");
        File.WriteAllText(path, doc.ToJsonString());
        var r = RunCli("run", path, "--out", s.Path("out"));
        OneLineExit2(r, "20000000 cases");
        StringAssert.Contains(r.Err, "--yes");
        Assert.IsFalse(Directory.Exists(s.Path("out")));
    }

    [TestMethod]
    public void DataFolders_OnlyFromACheckout()
    {
        using var s = new Scratch();
        Directory.CreateDirectory(s.Path("hardware-profiles"));
        Assert.IsNull(DataPaths.Checkout(s.Dir), "a folder without XQuant.Sim.sln counted as a checkout");
        Assert.AreEqual(TestPaths.RepoRoot, DataPaths.Checkout(Path.Combine(TestPaths.RepoRoot, "XQuant.Sim", "Cli")));
    }
}
