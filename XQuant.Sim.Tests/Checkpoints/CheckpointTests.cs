using XQuant.Kernels.Engine;
using XQuant.Kernels.Quantization;
using XQuant.Sim.Studies.Accuracy;
using XQuant.Sim.Studies.Checkpoints;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Tests.Checkpoints;

[TestClass]
public sealed class CheckpointTests
{
    private static string TempDir() => Path.Combine(Path.GetTempPath(), "xq-ckpt-" + Guid.NewGuid().ToString("N"));

    private static readonly int[] Ids = [3, 17, 42, 8, 8, 29];

    private static float[] EngineLogits(CheckpointModel m)
    {
        var e = new DecodeEngine(m.Weights, EngineScheme.Fp16);
        float[] logits = [];
        foreach (int id in Ids)
        {
            logits = e.Step(id).Logits;
        }
        return logits;
    }

    [TestMethod]
    [DataRow("F32", 1)]
    [DataRow("BF16", 3)]
    [DataRow("F16", 2)]
    public void Loaded_Checkpoint_MatchesAPlainHuggingFaceForward(string dtype, int shards)
    {
        var ck = new TinyCheckpoint(11);
        string dir = TempDir();
        try
        {
            ck.Write(dir, dtype, shards);
            var m = CheckpointModel.Load(dir, 32);
            Assert.AreEqual(TinyCheckpoint.Vocab, m.Vocab);
            Assert.AreEqual(64, m.Weights.Config.VocabSize, "vocab padded to a multiple of 32");
            Func<float, float> round = dtype switch
            {
                "F16" => v => HalfBits.ToFloat(HalfBits.FromFloat(v)),
                "BF16" => v => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(v) & unchecked((int)0xFFFF0000)),
                _ => v => v,
            };
            var expected = ck.ReferenceLogits(Ids, round);
            var got = EngineLogits(m);
            double num = 0, den = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                num += (got[i] - expected[i]) * (got[i] - expected[i]);
                den += expected[i] * expected[i];
            }
            // The engine's FP16 cache rounds K and V to fp16: relative error well under 1e-2, not 1e-6.
            Assert.IsTrue(Math.Sqrt(num / den) < 5e-3, $"relative logit error {Math.Sqrt(num / den)}");
            Assert.AreEqual(Array.IndexOf(expected, expected.Max()), Array.IndexOf(got, got.Take(TinyCheckpoint.Vocab).Max()));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void Perplexity_OverATokenFile_ForEachScheme()
    {
        var ck = new TinyCheckpoint(12);
        string dir = TempDir();
        try
        {
            ck.Write(dir, "F32", 1);
            var m = CheckpointModel.Load(dir, 80);
            var ids = Enumerable.Range(0, 64).Select(i => (i * 7) % TinyCheckpoint.Vocab).ToList();
            var r = AccuracyRunner.Run(m.Weights, [EngineScheme.Kivi(8), EngineScheme.XQuant(2), EngineScheme.XQuantGqa(4)], TokenPlan.Fixed(ids, "test ids"), AccuracyOrigin.Checkpoint, m.Config.Id, "ids", m.Vocab);
            Assert.AreEqual("checkpoint", r.Label);
            Assert.IsTrue(r.ReferencePerplexity > 1 && r.ReferencePerplexity < 1e6);
            Assert.AreEqual(r.ReferencePerplexity, r.Schemes[0].Perplexity, r.ReferencePerplexity * 0.02, "8-bit KIVI is near the FP16 cache");
            Assert.IsTrue(r.Schemes.All(s => double.IsFinite(s.Perplexity) && s.Perplexity > 1));
            Assert.IsTrue(r.Schemes[1].MeanKl > r.Schemes[0].MeanKl);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void BadFiles_GiveOneClearErrorNamingTheFile()
    {
        var ck = new TinyCheckpoint(13);
        string dir = TempDir();
        try
        {
            ck.Write(dir, "F32", 1);
            string file = Path.Combine(dir, "model.safetensors");
            byte[] bytes = File.ReadAllBytes(file);
            File.WriteAllBytes(file, bytes[..(bytes.Length - 100)]);
            var e = Assert.ThrowsExactly<InputException>(() => CheckpointModel.Load(dir, 32));
            Assert.HasCount(1, e.Errors);
            StringAssert.Contains(e.Errors[0].ToString(), "model.safetensors");
            StringAssert.Contains(e.Errors[0].ToString(), "truncated");
            File.WriteAllBytes(file, bytes[..5]);
            StringAssert.Contains(Assert.ThrowsExactly<InputException>(() => CheckpointModel.Load(dir, 32)).Message, "truncated");
            var bad = (byte[])bytes.Clone();
            bad[8] = (byte)'[';
            File.WriteAllBytes(file, bad);
            StringAssert.Contains(Assert.ThrowsExactly<InputException>(() => CheckpointModel.Load(dir, 32)).Message, "JSON");
            File.Delete(file);
            TinyCheckpoint.WriteFile(file, [("model.embed_tokens.weight", "F32", [TinyCheckpoint.Vocab, 3], new float[TinyCheckpoint.Vocab * 3])]);
            var shape = Assert.ThrowsExactly<InputException>(() => CheckpointModel.Load(dir, 32));
            StringAssert.Contains(shape.Errors[0].ToString(), "expected [50, 64]");
            File.WriteAllText(Path.Combine(dir, "config.json"), TinyCheckpoint.Config(",\"rope_scaling\":{\"rope_type\":\"llama3\"}"));
            StringAssert.Contains(Assert.ThrowsExactly<InputException>(() => CheckpointModel.Load(dir, 32)).Message, "rope_scaling");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void Cli_BadCheckpoint_ExitsTwo_WithOneLine()
    {
        string dir = TempDir();
        Directory.CreateDirectory(dir);
        try
        {
            using var o = new StringWriter();
            using var e = new StringWriter();
            int code = XQuant.Sim.Cli.CliApp.Run(["accuracy", "--model", dir, "--token-file", "x.txt"], o, e);
            Assert.AreEqual(2, code);
            StringAssert.Contains(e.ToString(), "no config.json");
            Assert.HasCount(1, e.ToString().Trim().Split('\n'));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
