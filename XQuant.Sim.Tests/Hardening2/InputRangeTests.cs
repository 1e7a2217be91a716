using System.Globalization;
using System.Text.Json.Nodes;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Studies.Checkpoints;
using XQuant.Sim.Studies.Quality;
using XQuant.Sim.Tests.Checkpoints;
using XQuant.Sim.Tests.Hardening;

namespace XQuant.Sim.Tests.Hardening2;

/// <summary>Inputs that were exit 1 (or silently absurd): profile numbers outside physical ranges, a quality CSV without its columns, an engine-sized vocabulary.</summary>
[TestClass]
public sealed class InputRangeTests
{
    private static string Profile(HardeningRun.Scratch s, Action<JsonNode> edit)
    {
        var node = JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.HardwareProfiles, "h100-sxm.json")))!;
        edit(node);
        string path = s.Path("edited.json");
        File.WriteAllText(path, node.ToJsonString());
        return path;
    }

    [TestMethod]
    [DataRow("dram", "bandwidth_bytes_per_sec", 5e-324, "is 4.94066E-324 B/s, outside the sensible range 1E+06 to 1E+16 B/s")]
    [DataRow("dram", "bandwidth_bytes_per_sec", 1e17, "is 1E+17 B/s, outside the sensible range 1E+06 to 1E+16 B/s")]
    [DataRow("dram", "capacity_bytes", 1000.0, "is 1000 B, outside the sensible range 1E+06 to 1E+16 B")]
    [DataRow("on_chip", "capacity_bytes", -1.0, "is -1 B, outside the sensible range 1000 to 1E+16 B")]
    [DataRow("peak_flops_per_sec", "bf16", 1.0, "is 1 FLOP/s, outside the sensible range 100000 to 1E+19 FLOP/s")]
    [DataRow("interconnect", "bandwidth_bytes_per_sec", 0.5, "is 0.5 B/s, outside the sensible range 1E+06 to 1E+16 B/s")]
    public void AbsurdProfileNumbers_AreExit2_NamingFieldAndRange(string block, string key, double value, string message)
    {
        using var s = new HardeningRun.Scratch();
        string path = Profile(s, n => n[block]![key] = value);
        var e = Assert.ThrowsExactly<InputException>(() => HardwareProfileLoader.Load(path));
        Assert.AreEqual($"{path}: {block}.{key}: {message}", e.Errors.Single().ToString());
        var (code, stdout, err) = HardeningRun.RunCli("ledger", "-m", "llama-2-7b", "-H", path);
        Assert.AreEqual(2, code);
        Assert.AreEqual("", stdout, "no partial output");
        Assert.AreEqual(1, err.Trim().Split('\n').Length, err);
    }

    [TestMethod]
    public void TopLevelTdpOutOfRange_IsNamed()
    {
        using var s = new HardeningRun.Scratch();
        string path = Profile(s, n => n["tdp_watts"] = 0.001);
        var e = Assert.ThrowsExactly<InputException>(() => HardwareProfileLoader.Load(path));
        StringAssert.Contains(e.Errors.Single().ToString(), "tdp_watts: is 0.001 W, outside the sensible range 1 to 1E+06 W");
    }

    [TestMethod]
    public void EveryShippedProfileAndNode_IsInsideTheRanges()
    {
        var all = HardwareProfileLoader.LoadAll();
        Assert.IsTrue(all.Count >= 10);
        foreach (string node in Directory.GetFiles(Path.Combine(TestPaths.HardwareProfiles, "nodes"), "*.json"))
        {
            Assert.IsTrue(NodeProfileLoader.Load(node).NodeDevices > 1, node);
        }
        foreach (string calibrated in Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "validation"), "calibrated-*.json"))
        {
            Assert.IsNotNull(HardwareProfileLoader.Load(calibrated).Calibration, calibrated);
        }
    }

    [TestMethod]
    public void NodeLinkBandwidthOutOfRange_IsNamed()
    {
        using var s = new HardeningRun.Scratch();
        string nodes = s.Path("nodes");
        Directory.CreateDirectory(nodes);
        File.Copy(Path.Combine(TestPaths.HardwareProfiles, "h100-sxm.json"), s.Path("h100-sxm.json"));
        var node = JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.HardwareProfiles, "nodes", "dgx-h100.json")))!;
        node["interconnect"]!["bandwidth_bytes_per_sec"] = 1e-9;
        string path = Path.Combine(nodes, "dgx.json");
        File.WriteAllText(path, node.ToJsonString());
        var e = Assert.ThrowsExactly<InputException>(() => NodeProfileLoader.Load(path));
        Assert.AreEqual($"{path}: interconnect.bandwidth_bytes_per_sec: is 1E-09 B/s, outside the sensible range 1E+06 to 1E+16 B/s", e.Errors.Single().ToString());
    }

    [TestMethod]
    public void QualityCsvWithoutMethodColumn_IsExit2_NamingTheColumn()
    {
        using var s = new HardeningRun.Scratch();
        string path = s.Path("quality.csv");
        File.WriteAllText(path, "table,model,dataset,approach,bits,perplexity\n1,llama-2-7b,wikitext2,fp16,16,5.47\n");
        var e = Assert.ThrowsExactly<InputException>(() => PaperQuality.Load(path));
        Assert.AreEqual($"{path}: column method: is missing from the header (needs table,model,dataset,method,bits,perplexity; optional source, scheme)", e.Errors.Single().ToString());
        string outDir = s.Path("out");
        var (code, _, err) = HardeningRun.RunCli("pareto", "-m", "llama-2-7b", "-H", "h100-sxm", "--quality", path, "-o", outDir);
        Assert.AreEqual(2, code, err);
        Assert.AreEqual(1, err.Trim().Split('\n').Length, err);
        Assert.IsFalse(Directory.Exists(outDir) && Directory.EnumerateFiles(outDir).Any());
        File.WriteAllText(path, "");
        Assert.AreEqual(6, Assert.ThrowsExactly<InputException>(() => PaperQuality.Load(path)).Errors.Count, "an empty file misses every column");
    }

    [TestMethod]
    public void VocabularyOf2To26_OverASparseFile_IsRefusedBeforeAllocating()
    {
        using var s = new HardeningRun.Scratch();
        string dir = s.Path("ck");
        var tiny = new TinyCheckpoint(1);
        tiny.Write(dir, "F32", shards: 1);
        const long Vocab = 1L << 26;
        File.WriteAllText(Path.Combine(dir, "config.json"), TinyCheckpoint.Config().Replace($"\"vocab_size\":{TinyCheckpoint.Vocab}", $"\"vocab_size\":{Vocab}", StringComparison.Ordinal));
        // The embedding is 16 GiB of holes: a valid header over a sparse file, nothing on disk.
        var tensors = tiny.Tensors.Where(t => !t.Key.StartsWith("lm_head", StringComparison.Ordinal) && !t.Key.StartsWith("model.embed", StringComparison.Ordinal))
            .Select(t => (t.Key, t.Value.Shape, Bytes: t.Value.Data.Length * 4L)).ToList();
        var header = new System.Text.StringBuilder("{");
        long at = 0;
        foreach (var (name, shape, bytes) in tensors.Prepend(("model.embed_tokens.weight", [Vocab, TinyCheckpoint.D], Vocab * TinyCheckpoint.D * 4)))
        {
            header.Append(CultureInfo.InvariantCulture, $"\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{at},{at + bytes}]}},");
            at += bytes;
        }
        byte[] h = System.Text.Encoding.UTF8.GetBytes(header.ToString().TrimEnd(',') + "}");
        string file = Path.Combine(dir, "model.safetensors");
        using (var f = File.Create(file))
        {
            f.Write(BitConverter.GetBytes((long)h.Length));
            f.Write(h);
            f.SetLength(8 + h.Length + at);
        }
        var e = Assert.ThrowsExactly<InputException>(() => CheckpointModel.Load(dir, 32));
        Assert.AreEqual($"{Path.Combine(dir, "config.json")}: vocab_size: 67108864 x hidden_size 64 = 4294967296 embedding weights, more than one array can hold ({Array.MaxLength}) in the engine", e.Errors.Single().ToString());
    }
}
