namespace XQuant.Sim.Tests.Serving;

[TestClass]
public sealed class SimulateCommandTests
{
    private static readonly string[] Base = ["simulate", "-H", "h100-sxm", "-m", "llama-3.1-8b"];

    private static (int Code, string Out, string Err) Run(string outDir, params string[] args) =>
        TestCli.Run([.. Base, "-o", outDir, .. args, .. args.Contains("--charts") ? Array.Empty<string>() : ["--charts", "none"]]);

    [TestMethod]
    [DataRow("--rate", "0", "--rate")]
    [DataRow("--rate", "-2", "--rate")]
    [DataRow("--rate", "abc", "--rate")]
    [DataRow("--concurrency", "0", "--concurrency")]
    [DataRow("--input", "131000", "--input/--output")]
    [DataRow("--input", "0", "--input")]
    [DataRow("--output", "9..3", "--output")]
    [DataRow("--requests", "0", "--requests")]
    [DataRow("--block", "0", "--block")]
    [DataRow("--percentile", "95", "--percentile")]
    [DataRow("--slo", "ttft=2", "--slo")]
    [DataRow("--chunked-prefill", "maybe", "--chunked-prefill")]
    [DataRow("--price", "-1", "--price")]
    [DataRow("--idle-watts", "900", "--idle-watts")]
    [DataRow("--step", "fast", "--step")]
    [DataRow("--charts", "gif", "--charts")]
    public void BadOption_OneLineNamingIt_Exit2_NothingWritten(string option, string value, string named)
    {
        using var dir = new TempDir();
        string outDir = Path.Combine(dir.Path, "out");
        var args = option is "--rate" or "--concurrency" ? new[] { option, value } : new[] { "--rate", "1", option, value };
        var (code, _, err) = Run(outDir, args);
        Assert.AreEqual(2, code, err);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.AreEqual(1, lines.Length, err);
        StringAssert.StartsWith(lines[0], named);
        Assert.IsFalse(err.Contains("   at ", StringComparison.Ordinal), "no stack trace");
        Assert.IsFalse(Directory.Exists(outDir), "nothing written");
    }

    [TestMethod]
    public void ArrivalProcess_ExactlyOne_AndMaxRateNeedsAnSlo()
    {
        using var dir = new TempDir();
        string outDir = Path.Combine(dir.Path, "out");
        Assert.AreEqual(2, Run(outDir).Code);
        Assert.AreEqual(2, Run(outDir, "--rate", "1", "--offline").Code);
        var (code, _, err) = Run(outDir, "--max-rate");
        Assert.AreEqual(2, code);
        StringAssert.Contains(err, "--max-rate: needs --slo");
        Assert.IsFalse(Directory.Exists(outDir));
    }

    [TestMethod]
    public void BadTraces_NameFileLineAndField()
    {
        using var dir = new TempDir();
        string outDir = Path.Combine(dir.Path, "out");
        string empty = Path.Combine(dir.Path, "empty.csv");
        File.WriteAllText(empty, "");
        string backwards = Path.Combine(dir.Path, "back.csv");
        File.WriteAllText(backwards, "arrival_s,input_tokens,output_tokens\n1,100,10\n0.5,100,10\n");
        string tooLong = Path.Combine(dir.Path, "long.csv");
        File.WriteAllText(tooLong, "arrival_s,input_tokens,output_tokens\n0,131000,200\n");
        foreach (var (file, expect) in new[] { (empty, $"{empty}: is empty"), (backwards, $"{backwards}:3: arrival_s"), (tooLong, $"{tooLong}:2: input_tokens"), (Path.Combine(dir.Path, "none.csv"), "--trace: file") })
        {
            var (code, _, err) = Run(outDir, "--trace", file);
            Assert.AreEqual(2, code, err);
            StringAssert.StartsWith(err, expect);
            Assert.IsFalse(Directory.Exists(outDir));
        }
    }

    [TestMethod]
    public void Trace_WritesFilesAndIsByteIdenticalAcrossRuns()
    {
        using var dir = new TempDir();
        string trace = Path.Combine(dir.Path, "t.csv");
        File.WriteAllText(trace, "arrival_s,input_tokens,output_tokens\n0,512,16\n0.01,100,8\n0.02,2000,4\n");
        string a = Path.Combine(dir.Path, "a"), b = Path.Combine(dir.Path, "b");
        var first = Run(a, "--trace", trace, "-s", "fp16,xquant:4", "--slo", "ttft=1s", "--price", "3", "--idle-watts", "100");
        Assert.AreEqual(0, first.Code, first.Err);
        Assert.AreEqual(0, Run(b, "--trace", trace, "-s", "fp16,xquant:4", "--slo", "ttft=1s", "--price", "3", "--idle-watts", "100").Code);
        foreach (string f in new[] { "requests.csv", "summary.csv", "summary.md" })
        {
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(a, f)), File.ReadAllBytes(Path.Combine(b, f)), f);
        }
        var rows = File.ReadAllLines(Path.Combine(a, "requests.csv"));
        Assert.AreEqual(1 + 2 * 3, rows.Length);
        StringAssert.StartsWith(rows[0], "scheme,arrivals,rate_req_per_s,request_id,arrival_s,input_tokens,output_tokens,status,first_token_s,finish_s,ttft_s,tpot_s,e2e_s,preemptions");
        var summary = File.ReadAllLines(Path.Combine(a, "summary.csv"));
        Assert.AreEqual(3, summary.Length);
        StringAssert.Contains(summary[0], "usd_per_m_output_tok,j_per_output_tok");
        Assert.IsFalse(summary[1].EndsWith(",,", StringComparison.Ordinal), "price and energy filled");
        StringAssert.Contains(first.Out, "fp16, trace:");
    }

    [TestMethod]
    public void Seeds_ChangeDraws_SameSeedSameFiles()
    {
        using var dir = new TempDir();
        string[] args = ["--rate", "8", "-n", "60", "--input", "100..900", "--output", "10..60"];
        Assert.AreEqual(0, Run(Path.Combine(dir.Path, "a"), [.. args, "--seed", "5"]).Code);
        Assert.AreEqual(0, Run(Path.Combine(dir.Path, "b"), [.. args, "--seed", "5"]).Code);
        Assert.AreEqual(0, Run(Path.Combine(dir.Path, "c"), [.. args, "--seed", "6"]).Code);
        string A = File.ReadAllText(Path.Combine(dir.Path, "a", "requests.csv"));
        Assert.AreEqual(A, File.ReadAllText(Path.Combine(dir.Path, "b", "requests.csv")));
        Assert.AreNotEqual(A, File.ReadAllText(Path.Combine(dir.Path, "c", "requests.csv")));
    }
}
