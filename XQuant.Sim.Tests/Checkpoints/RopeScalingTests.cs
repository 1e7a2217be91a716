using XQuant.Kernels.Attention;
using XQuant.Kernels.Engine;
using XQuant.Sim.Studies.Checkpoints;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Tests.Checkpoints;

[TestClass]
public sealed class RopeScalingTests
{
    [TestMethod]
    public void Llama3_Frequencies_MatchHandComputedValues()
    {
        // Llama-3.1-8B: theta 500000, head dim 128, factor 8, low 1, high 4, original context 8192.
        // Wavelength thresholds: 8192 / 4 = 2048 (shorter: kept) and 8192 / 1 = 8192 (longer: divided by 8).
        var s = new RopeScaling(RopeScaling.Llama3, 8, 1, 4, 8192);
        double[] f = RopeScaling.InverseFrequencies(128, 500000, s);
        // i = 20: f = 500000^(-40/128) = 0.0165604, wavelength 379.4 < 2048: unchanged.
        Assert.AreEqual(0.016560440080994446, f[20], 1e-15);
        // i = 30: f = 0.00213112, wavelength 2948.30: s = (8192 / 2948.30 - 1) / 3 = 0.59282,
        // f ((1 - s) / 8 + s) = 0.00213112 x 0.64374 = 0.00137189.
        Assert.AreEqual(0.0013718935677611381, f[30], 1e-15);
        // i = 34: f = 9.38474e-4, wavelength 6695.1: s = 0.074535, f x (0.925465 / 8 + 0.074535) = 1.78508e-4.
        Assert.AreEqual(0.0001785078127679964, f[34], 1e-15);
        // i = 40: f = 2.74248e-4, wavelength 22910.6 > 8192: f / 8 = 3.42810e-5.
        Assert.AreEqual(3.428102195952591e-05, f[40], 1e-17);
        Assert.AreEqual(1.0, f[0]);
        Assert.IsTrue(s.Problems().Count == 0);
        Assert.IsTrue(new RopeScaling(RopeScaling.Llama3, 8, 4, 1, 8192).Problems().Count == 1, "high must exceed low");
    }

    [TestMethod]
    public void Linear_AtPosition2p_EqualsUnscaledAtP()
    {
        var plain = new RopeTable(64, 16, 10000.0);
        var linear = new RopeTable(64, 16, 10000.0, new RopeScaling(RopeScaling.Linear, 2));
        for (int p = 0; p < 32; p++)
        {
            for (int i = 0; i < 8; i++)
            {
                Assert.AreEqual(plain.Cos[(p * 8) + i], linear.Cos[(2 * p * 8) + i], 1e-6f);
                Assert.AreEqual(plain.Sin[(p * 8) + i], linear.Sin[(2 * p * 8) + i], 1e-6f);
            }
        }
    }

    [TestMethod]
    public void Checkpoint_WithLlama3Scaling_Loads_UnknownTypeRejected()
    {
        var ck = new TinyCheckpoint(15);
        string dir = Path.Combine(Path.GetTempPath(), "xq-rope-" + Guid.NewGuid().ToString("N"));
        try
        {
            ck.Write(dir, "F32", 1);
            File.WriteAllText(Path.Combine(dir, "config.json"), TinyCheckpoint.Config(",\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":8.0,\"low_freq_factor\":1.0,\"high_freq_factor\":4.0,\"original_max_position_embeddings\":16}"));
            var m = CheckpointModel.Load(dir, 32);
            var scaling = m.Weights.Config.RopeScaling;
            Assert.IsNotNull(scaling);
            Assert.AreEqual(RopeScaling.Llama3, scaling.Type);
            Assert.AreEqual(16, scaling.OriginalMaxPositions);
            // The engine runs with it and differs from the unscaled model (head dim 16, wavelengths up to ~2 x 10^4 > 16).
            var scaled = new DecodeEngine(m.Weights, EngineScheme.Fp16);
            File.WriteAllText(Path.Combine(dir, "config.json"), TinyCheckpoint.Config());
            var plain = new DecodeEngine(CheckpointModel.Load(dir, 32).Weights, EngineScheme.Fp16);
            float[] a = [], b = [];
            foreach (int id in new[] { 3, 9, 27, 4, 11 })
            {
                a = scaled.Step(id).Logits;
                b = plain.Step(id).Logits;
            }
            Assert.IsTrue(a.Zip(b).Any(x => Math.Abs(x.First - x.Second) > 1e-4), "scaling changes the logits");

            File.WriteAllText(Path.Combine(dir, "config.json"), TinyCheckpoint.Config(",\"rope_scaling\":{\"type\":\"dynamic\",\"factor\":2.0}"));
            var e = Assert.ThrowsExactly<InputException>(() => CheckpointModel.Load(dir, 32));
            Assert.HasCount(1, e.Errors);
            StringAssert.Contains(e.Errors[0].ToString(), "rope_scaling");
            StringAssert.Contains(e.Errors[0].ToString(), "dynamic");
            File.WriteAllText(Path.Combine(dir, "config.json"), TinyCheckpoint.Config(",\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":8.0}"));
            StringAssert.Contains(Assert.ThrowsExactly<InputException>(() => CheckpointModel.Load(dir, 32)).Message, "low_freq_factor");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
