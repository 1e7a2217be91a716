using System.Text;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Studies.Checkpoints;
using XQuant.Sim.Tests.Checkpoints;
using XQuant.Sim.Tests.Hardening;

namespace XQuant.Sim.Tests.Hardening2;

/// <summary>Hostile or damaged safetensors files: one line naming file and tensor, never a crash, never silent acceptance.</summary>
[TestClass]
public sealed class CheckpointHardeningTests
{
    /// <summary>A safetensors file from a raw header (bytes as given) and raw data.</summary>
    private static void WriteRaw(string path, byte[] header, byte[] data)
    {
        using var f = File.Create(path);
        f.Write(BitConverter.GetBytes((long)header.Length));
        f.Write(header);
        f.Write(data);
    }

    private static InputException OpenFails(string header, byte[]? data = null)
    {
        using var s = new HardeningRun.Scratch();
        string path = s.Path("m.safetensors");
        WriteRaw(path, Encoding.UTF8.GetBytes(header), data ?? new byte[64]);
        return Assert.ThrowsExactly<InputException>(() => SafetensorsFile.Open(path).Dispose());
    }

    [TestMethod]
    public void TruncatedWhileOpen_IsOneLine_NotACrash()
    {
        using var s = new HardeningRun.Scratch();
        string path = s.Path("m.safetensors");
        var values = Enumerable.Range(0, 1 << 16).Select(i => i * 0.001f).ToArray();
        TinyCheckpoint.WriteFile(path, [("w", "F32", [256, 256], values)]);
        using var file = SafetensorsFile.Open(path);
        Assert.AreEqual(0.001f * 300, file.Read("w")[300]);
        // Another process cuts the file while it is open: a memory mapping would SIGBUS the whole test host here.
        using (var cut = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            cut.SetLength(4096);
        }
        var e = Assert.ThrowsExactly<InputException>(() => file.Read("w"));
        Assert.AreEqual(1, e.Errors.Count);
        string line = e.Errors[0].ToString();
        StringAssert.Contains(line, path);
        StringAssert.Contains(line, "w:");
        StringAssert.Contains(line, "truncated while open");
        Assert.ThrowsExactly<InputException>(() => file.ReadTransposed("w"));
    }

    [TestMethod]
    [DataRow("F32", 0x7FC00000u, "NaN")]
    [DataRow("F32", 0xFF800000u, "infinite")]
    [DataRow("F16", 0x7C00u, "infinite")]
    [DataRow("F16", 0x7E00u, "NaN")]
    [DataRow("BF16", 0x7FC0u, "NaN")]
    [DataRow("BF16", 0x7F80u, "infinite")]
    public void NonFiniteWeights_AreRefused_NamingTheTensorAndElement(string dtype, uint bits, string what)
    {
        using var s = new HardeningRun.Scratch();
        string path = s.Path("m.safetensors");
        int size = dtype == "F32" ? 4 : 2;
        var data = new byte[10 * size];
        if (size == 4)
        {
            BitConverter.GetBytes(bits).CopyTo(data, 7 * 4);
        }
        else
        {
            BitConverter.GetBytes((ushort)bits).CopyTo(data, 7 * 2);
        }
        WriteRaw(path, Encoding.UTF8.GetBytes($"{{\"w\":{{\"dtype\":\"{dtype}\",\"shape\":[2,5],\"data_offsets\":[0,{data.Length}]}}}}"), data);
        using var file = SafetensorsFile.Open(path);
        var e = Assert.ThrowsExactly<InputException>(() => file.Read("w"));
        Assert.AreEqual($"{path}: w: element 7 is {what}; weights must be finite", e.Errors[0].ToString());
    }

    [TestMethod]
    public void NonUtf8TensorName_IsOneLine()
    {
        using var s = new HardeningRun.Scratch();
        string path = s.Path("m.safetensors");
        byte[] header = [.. "{\"w\u00e9"u8, 0xFF, 0xFE, .. "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}"u8];
        WriteRaw(path, header, new byte[4]);
        var e = Assert.ThrowsExactly<InputException>(() => SafetensorsFile.Open(path).Dispose());
        Assert.AreEqual($"{path}: header: is not valid UTF-8 (byte 0xFF at header offset 5); tensor names must be UTF-8", e.Errors[0].ToString());
    }

    [TestMethod]
    public void DuplicateTensor_IsRefused()
    {
        var e = OpenFails("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""");
        StringAssert.Contains(e.Errors[0].ToString(), "a: appears twice in the header");
    }

    [TestMethod]
    public void OverlappingTensors_AreRefused_EmptyOnesMayShareAnOffset()
    {
        var e = OpenFails("""{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}}""");
        StringAssert.Contains(e.Errors[0].ToString(), "b: data_offsets [12, 20] overlap tensor 'a' [0, 16]");
        // Nested inside a larger one is an overlap too.
        e = OpenFails("""{"a":{"dtype":"F32","shape":[8],"data_offsets":[0,32]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"c":{"dtype":"F32","shape":[1],"data_offsets":[20,24]}}""");
        Assert.AreEqual(2, e.Errors.Count);
        using var s = new HardeningRun.Scratch();
        string ok = s.Path("ok.safetensors");
        WriteRaw(ok, """{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"c":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"""u8.ToArray(), new byte[16]);
        using var file = SafetensorsFile.Open(ok);
        Assert.AreEqual(3, file.Tensors.Count);
    }

    [TestMethod]
    [DataRow("[4611686018427387904, 4]", 0)]
    [DataRow("[2305843009213693952]", 0)]
    [DataRow("[4294967296, 4294967296]", 0)]
    [DataRow("[2305843009213693952]", 8)]
    public void ShapesWhoseByteCountOverflows_AreRefused(string shape, int end)
    {
        var e = OpenFails($"{{\"a\":{{\"dtype\":\"F32\",\"shape\":{shape},\"data_offsets\":[0,{end}]}}}}");
        Assert.AreEqual(1, e.Errors.Count);
        StringAssert.Contains(e.Errors[0].ToString(), "its byte count does not fit in 64 bits");
    }

    [TestMethod]
    public void TensorInTwoShards_IsRefused()
    {
        using var s = new HardeningRun.Scratch();
        string dir = s.Path("ck");
        var tiny = new TinyCheckpoint(3);
        tiny.Write(dir, "F32", shards: 1);
        // A second file in the folder (no index: every *.safetensors is a shard) holding a tensor the first already has.
        const string Name = "model.norm.weight";
        TinyCheckpoint.WriteFile(Path.Combine(dir, "model-extra.safetensors"), [(Name, "F32", tiny.Tensors[Name].Shape, tiny.Tensors[Name].Data)]);
        var e = Assert.ThrowsExactly<InputException>(() => CheckpointModel.Load(dir, 32));
        Assert.AreEqual($"{Path.Combine(dir, "model.safetensors")}: {Name}: is also in {Path.Combine(dir, "model-extra.safetensors")}: a tensor must be in one shard only", e.Errors[0].ToString());
    }

    [TestMethod]
    public void NanCheckpoint_ThroughTheCli_IsExit2_OneLine_NoOutput()
    {
        using var s = new HardeningRun.Scratch();
        string dir = s.Path("ck");
        var tiny = new TinyCheckpoint(5);
        tiny.Tensors["model.layers.1.mlp.up_proj.weight"].Data[17] = float.NaN;
        tiny.Write(dir, "BF16", shards: 1);
        File.WriteAllText(s.Path("tokens.txt"), string.Join('\n', Enumerable.Range(0, 20).Select(i => (i % 40).ToString(System.Globalization.CultureInfo.InvariantCulture))));
        string outDir = s.Path("out");
        var (code, _, err) = HardeningRun.RunCli("accuracy", "-m", dir, "--token-file", s.Path("tokens.txt"), "-n", "16", "-s", "kivi:4", "-o", outDir);
        Assert.AreEqual(2, code, err);
        Assert.AreEqual(1, err.Trim().Split('\n').Length, err);
        StringAssert.Contains(err, "model.layers.1.mlp.up_proj.weight: element 17 is NaN");
        Assert.IsFalse(Directory.Exists(outDir) && Directory.EnumerateFiles(outDir).Any(), "no output for bad input");
    }
}
