using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Tests.Reports;
using static XQuant.Sim.Tests.Hardening.HardeningRun;

namespace XQuant.Sim.Tests.Hardening;

/// <summary>The output promises of docs/robustness.md: special files, clean-up, full disks, sets, output places.</summary>
[TestClass]
public sealed class OutputPipelineTests
{
    private static void LinuxOnly()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("special files are tested on Linux");
        }
    }

    [TestMethod]
    public void CsvToACharacterDevice_IsWrittenStraight_NeverReplaced()
    {
        LinuxOnly();
        var (code, _, err) = RunCli("memory", "-m", "llama-2-7b", "--csv", "/dev/null");
        Assert.AreEqual(0, code, err);
        Assert.AreEqual(PathKind.Special, FileKind.Of("/dev/null"));
        Assert.IsEmpty(Directory.GetFiles("/dev", ".xqsim-*"));
    }

    [TestMethod]
    public void CsvToALinkToADevice_KeepsTheLink()
    {
        LinuxOnly();
        using var s = new Scratch();
        string link = s.Path("out.csv");
        File.CreateSymbolicLink(link, "/dev/null");
        var (code, _, err) = RunCli("memory", "-m", "llama-2-7b", "--csv", link);
        Assert.AreEqual(0, code, err);
        Assert.AreEqual("/dev/null", new FileInfo(link).LinkTarget);
        Assert.HasCount(1, Directory.GetFileSystemEntries(s.Dir));
    }

    [TestMethod]
    public void CsvToALinkToARegularFile_WritesTheTarget_KeepsTheLink()
    {
        using var s = new Scratch();
        string target = s.Path("real.csv");
        File.WriteAllText(target, "old");
        string link = s.Path("link.csv");
        File.CreateSymbolicLink(link, target);
        Assert.AreEqual(0, RunCli("memory", "-m", "llama-2-7b", "--csv", link).Code);
        Assert.IsNotNull(new FileInfo(link).LinkTarget);
        StringAssert.StartsWith(File.ReadAllText(target), "model,");
    }

    [TestMethod]
    [Timeout(30_000, CooperativeCancellation = true)]
    public void CsvToAFifo_IsWrittenStraight_AndStaysAFifo()
    {
        LinuxOnly();
        using var s = new Scratch();
        string fifo = s.Path("pipe");
        MakeFifo(fifo);
        var reader = Task.Run(() => File.ReadAllText(fifo));
        var (code, _, err) = RunCli("memory", "-m", "llama-2-7b", "--csv", fifo);
        Assert.AreEqual(0, code, err);
        Assert.IsTrue(reader.Wait(10_000), "the reader never saw the end of the CSV");
        StringAssert.StartsWith(reader.Result, "model,");
        Assert.AreEqual(PathKind.Special, FileKind.Of(fifo));
        Assert.HasCount(1, Directory.GetFileSystemEntries(s.Dir));
    }

    [TestMethod]
    public void FullDisk_IsExit2_OneLine()
    {
        LinuxOnly();
        // /dev/full fails every write with ENOSPC, as a full filesystem does.
        var (code, _, err) = RunCli("memory", "-m", "llama-2-7b", "--csv", "/dev/full");
        Assert.AreEqual(2, code, err);
        Assert.HasCount(1, err.Trim().Split('\n'));
        StringAssert.Contains(err, "/dev/full");
        StringAssert.Contains(err, "disk is full");
    }

    [TestMethod]
    public void FailingWriter_LeavesNoTemporaryFile()
    {
        using var s = new Scratch();
        string path = s.Path("x.csv");
        Assert.ThrowsExactly<IOException>(() => AtomicFile.Write(path, st =>
        {
            st.Write(new byte[100_000]);
            throw new IOException("simulated failure mid-write", 28);
        }));
        Assert.IsEmpty(Scratch.Leftovers(s.Dir));
    }

    [TestMethod]
    public void FailingFileInASet_LeavesNothing_AndIsExit2WhenTheDiskIsFull()
    {
        using var s = new Scratch();
        string dir = s.Path("out");
        var files = new[]
        {
            OutputFile.Text("a.txt", "a"),
            new OutputFile("b.txt", _ => throw new IOException("No space left on device", 28)),
        };
        var e = Assert.ThrowsExactly<InputException>(() => OutputSet.Write(dir, files));
        StringAssert.Contains(e.Errors[0].ToString(), "disk is full");
        Assert.IsFalse(Directory.Exists(dir), string.Join(", ", Scratch.Leftovers(dir)));
    }

    [TestMethod]
    public void SetsReplaceWhole_StaleFilesGo_ForeignFilesStay()
    {
        using var s = new Scratch();
        string dir = s.Path("out");
        OutputSet.Write(dir, [OutputFile.Text("a.txt", "1"), OutputFile.Text("charts/b.txt", "1")]);
        File.WriteAllText(Path.Combine(dir, "notes-by-hand.md"), "mine");
        OutputSet.Write(dir, [OutputFile.Text("a.txt", "2"), OutputFile.Text("c.txt", "2")]);
        Assert.AreEqual("2", File.ReadAllText(Path.Combine(dir, "a.txt")));
        Assert.IsTrue(File.Exists(Path.Combine(dir, "c.txt")));
        Assert.IsFalse(File.Exists(Path.Combine(dir, "charts", "b.txt")), "a file of the previous run survived");
        Assert.AreEqual("mine", File.ReadAllText(Path.Combine(dir, "notes-by-hand.md")));
        Assert.IsEmpty(Directory.GetDirectories(dir, ".xqsim-staging-*"));
    }

    [TestMethod]
    public void ConcurrentSetsIntoOneFolder_NeverMix()
    {
        using var s = new Scratch();
        string dir = s.Path("out");
        Parallel.For(0, 8, i =>
        {
            var files = Enumerable.Range(0, 5).Select(k => OutputFile.Text($"{(i % 2 == 0 ? "even" : "odd")}-{k}.txt", i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
            OutputSet.Write(dir, files);
        });
        var names = Directory.GetFiles(dir).Select(Path.GetFileName).Where(n => !n!.StartsWith('.')).ToList();
        Assert.HasCount(5, names);
        Assert.AreEqual(1, names.Select(n => n![..n!.IndexOf('-', StringComparison.Ordinal)]).Distinct().Count(), string.Join(", ", names));
        Assert.AreEqual(1, names.Select(n => File.ReadAllText(Path.Combine(dir, n!))).Distinct().Count(), "files of two runs mixed");
    }

    [TestMethod]
    public void OutNamingAFile_IsExit2_BeforeComputing()
    {
        using var s = new Scratch();
        string file = s.Path("taken");
        File.WriteAllText(file, "x");
        var (code, _, err) = RunCli("compare", "-H", "h100-sxm", "-m", "llama-2-7b", "--out", file);
        Assert.AreEqual(2, code, err);
        StringAssert.Contains(err, "is a file, expected a folder");
        Assert.AreEqual("x", File.ReadAllText(file));
    }

    [TestMethod]
    public void CsvNamingAFolder_IsExit2()
    {
        using var s = new Scratch();
        var (code, _, err) = RunCli("memory", "-m", "llama-2-7b", "--csv", s.Dir);
        Assert.AreEqual(2, code, err);
        StringAssert.Contains(err, "is a folder");
        Assert.HasCount(1, err.Trim().Split('\n'));
    }

    [TestMethod]
    public void UnwritableOutputFolder_IsExit2_BeforeTheLongComputation()
    {
        LinuxOnly();
        // /proc refuses new folders even to root: the stand-in for a read-only filesystem.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (code, _, err) = RunCli("accuracy", "-m", "synthetic-mha", "-n", "3000", "--out", "/proc/xqsim-denied/out");
        Assert.AreEqual(2, code, err);
        Assert.IsLessThan(10.0, clock.Elapsed.TotalSeconds, "the check came after the computation");
        Assert.HasCount(1, err.Trim().Split('\n'));
        StringAssert.Contains(err, "/proc/xqsim-denied/out");
    }

    [TestMethod]
    public void LongestValidName_IsWritten_TheTempNameDoesNotGrowIt()
    {
        using var s = new Scratch();
        string path = s.Path(new string('n', 251) + ".csv");
        var (code, _, err) = RunCli("memory", "-m", "llama-2-7b", "--csv", path);
        Assert.AreEqual(0, code, err);
        Assert.IsTrue(File.Exists(path));
        var (tooLong, _, err2) = RunCli("memory", "-m", "llama-2-7b", "--csv", s.Path(new string('n', 300)));
        Assert.AreEqual(2, tooLong, err2);
    }

    [TestMethod]
    public void OutputFileNamesCannotLeaveTheirFolder()
    {
        using var s = new Scratch();
        Assert.ThrowsExactly<InvalidOperationException>(() => OutputSet.Write(s.Path("out"), [OutputFile.Text("../escape.txt", "x")]));
        Assert.IsFalse(File.Exists(s.Path("escape.txt")));
        Assert.IsEmpty(Scratch.Leftovers(s.Dir));
    }

    [TestMethod]
    [DataRow("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")")]
    [DataRow("+cmd", "'+cmd")]
    [DataRow("@SUM(A1)", "'@SUM(A1)")]
    [DataRow("-x", "'-x")]
    [DataRow("-1.5", "-1.5")]
    [DataRow("+2e-3", "+2e-3")]
    [DataRow("llama", "llama")]
    [DataRow("", "")]
    public void CsvCellsThatWouldRunAsFormulas_AreNeutralized(string cell, string written) =>
        Assert.AreEqual(written, CsvOutput.Neutralize(cell));

    [TestMethod]
    public void CsvTable_NeutralizesAModelFileNamedLikeAFormula()
    {
        var table = new XQuant.Sim.Foundation.Text.TextTable(["model", "bytes"], ["", ""], [false, true], [["=HYPERLINK(1)", "-3"]]);
        Assert.AreEqual("model,bytes\n'=HYPERLINK(1),-3\n", CsvOutput.ToCsv(table));
    }

    [TestMethod]
    public void CsvLine_IsTheBytesTheTableWriterMakes_QuotedAndNeutralized()
    {
        // Worker threads format streamed rows with Line; the in-memory writer goes through Write: one format.
        string[] row = ["=SUM(A1)", "a,b", "say \"hi\"", "two\nlines", "-2.5", " padded "];
        var columns = Enumerable.Range(0, row.Length).Select(i => new XQuant.Sim.Foundation.Text.TableColumn<string[]>($"c{i}", "", r => r[i])).ToList();
        var table = new XQuant.Sim.Foundation.Text.TextTable(columns.Select(c => c.Header).ToList(), columns.Select(_ => "").ToList(), columns.Select(_ => false).ToList(), [row]);
        string whole = CsvOutput.ToCsv(table);
        string line = CsvOutput.Line(columns, row);
        Assert.AreEqual(whole[(whole.IndexOf('\n', StringComparison.Ordinal) + 1)..], line);
        Assert.StartsWith("'=SUM(A1),\"a,b\",", line);
    }

    [TestMethod]
    public void StreamedSweep_NeutralizesAModelFileNamedLikeAFormula_AsTheInMemoryRunDoes()
    {
        // Above 20,000 cases `run` streams rows formatted on workers; that path once wrote the cell bare.
        using var dir = new TempDir();
        string model = Path.Combine(dir.Path, "=HYPERLINK(1).json");
        File.Copy(Path.Combine(TestPaths.Models, "llama-2-7b.json"), model);
        string Scenario(string name, string batches, string contexts)
        {
            string path = Path.Combine(dir.Path, name + ".json");
            File.WriteAllText(path, $$"""
                {"name": "{{name}}", "models": [{{System.Text.Json.JsonSerializer.Serialize(model)}}], "hardware": ["h100-sxm", "rngd"],
                 "schemes": ["fp16", "kivi:2", "xquant:4", "xquant-cl:2", "xquant-gqa:2"], "weights": ["bf16", "int4"], "phase": ["decode", "prefill"],
                 "batch": [{{batches}}], "context": [{{contexts}}], "outputs": ["csv"]}
                """);
            return path;
        }
        string big = Scenario("big", string.Join(", ", Enumerable.Range(1, 41)), string.Join(", ", Enumerable.Range(1, 13).Select(k => k * 512)));
        string small = Scenario("small", "1", "512");
        var a = ReportFixtures.Cli("run", big, "--threads", "2", "-o", Path.Combine(dir.Path, "big-out"));
        var b = ReportFixtures.Cli("run", small, "-o", Path.Combine(dir.Path, "small-out"));
        Assert.AreEqual(0, a.Code, a.Err);
        Assert.AreEqual(0, b.Code, b.Err);
        Assert.Contains("21320 cases costed", a.Out);
        string Row2(string folder) => File.ReadLines(Path.Combine(dir.Path, folder, "cases.csv")).ElementAt(1);
        Assert.StartsWith("'=HYPERLINK(1),h100-sxm,", Row2("big-out"));
        Assert.AreEqual(Row2("small-out"), Row2("big-out"));
    }
}
