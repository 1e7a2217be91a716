using XQuant.Kernels.Cache;
using XQuant.Kernels.CrossLayer;
using XQuant.Kernels.Fast;
using XQuant.Kernels.Gqa;
using XQuant.Kernels.Metrics;
using XQuant.Kernels.Quantization;
using XQuant.Kernels.Reference;

namespace XQuant.Sim.Tests.Kernels;

[TestClass]
public sealed class CacheSchemeTests
{
    [TestMethod]
    public void KiviWindowHoldsTokensUntilAFullGroupExists()
    {
        const int width = 24, g = 16;
        var k = KernelTestData.Random(40 * width, 31);
        var v = KernelTestData.Random(40 * width, 32);
        var cache = new KiviCache(width, 4, g);
        for (int t = 0; t < 40; t++)
        {
            cache.Append(k.AsSpan(t * width, width), v.AsSpan(t * width, width));
            Assert.AreEqual((t + 1) % g, cache.WindowTokens, $"after token {t}");
            Assert.AreEqual((t + 1) / g * g, cache.QuantizedTokens);
        }
        // Window tokens are exact up to FP16 rounding; quantized blocks equal quantizing that block directly.
        var keys = cache.Keys();
        for (int i = 32 * width; i < 40 * width; i++)
        {
            Assert.AreEqual((float)(Half)k[i], keys[i]);
        }
        var block1 = k.AsSpan(16 * width, 16 * width).ToArray().Select(x => (float)(Half)x).ToArray();
        Assert.IsNull(ScalarReference.Quantize(block1, 16, width, new QuantSpec(4, g, QuantAxis.PerChannel)).FirstDifference(cache.Blocks[1].Keys));
        Assert.AreEqual(QuantAxis.PerToken, cache.Blocks[0].Values.Spec.Axis);
        Assert.AreEqual(2L * 2 * 8 * width, cache.WindowBytes);
        Assert.IsLessThan(0.1, ErrorMetrics.RelativeFrobenius(v, cache.Values()));
    }

    private static List<float[]> CorrelatedLayers(int layers, int tokens, int width)
    {
        // A residual stream: each layer adds a small update to the previous one.
        var list = new List<float[]> { KernelTestData.Random(tokens * width, 40) };
        for (int i = 1; i < layers; i++)
        {
            var update = KernelTestData.Random(tokens * width, 40 + i, 0.05f);
            list.Add(list[i - 1].Zip(update, (a, b) => a + b).ToArray());
        }
        return list;
    }

    [TestMethod]
    public void CrossLayerAccumulatorEqualsBasePlusSumOfDeltas()
    {
        const int tokens = 20, width = 64;
        var layers = CorrelatedLayers(6, tokens, width);
        var codec = new CrossLayerCodec(DeltaBits: 2, BaseBits: 4, BaseLayers: 2, GroupSize: 32);
        var stored = codec.Encode(layers, tokens, width);
        var recon = codec.Reconstruct(stored, tokens, width);
        Assert.AreEqual(4, stored[1].Spec.Bits);
        Assert.AreEqual(2, stored[2].Spec.Bits);
        var sum = ScalarReference.Dequantize(stored[1]);
        for (int i = 2; i < 6; i++)
        {
            var d = ScalarReference.Dequantize(stored[i]);
            for (int j = 0; j < sum.Length; j++)
            {
                sum[j] += d[j];
            }
            CollectionAssert.AreEqual(sum, recon[i], $"layer {i}");
        }
        // Deltas of a residual stream are small, so 2-bit CL beats plain 2-bit XQuant on the last layer.
        var plain = ScalarReference.Dequantize(ScalarReference.Quantize(layers[5], tokens, width, new QuantSpec(2, 32, QuantAxis.PerToken)));
        Assert.IsLessThan(ErrorMetrics.RelativeFrobenius(layers[5], plain), ErrorMetrics.RelativeFrobenius(layers[5], recon[5]));
    }

    [TestMethod]
    public void CrossLayerWithQuantizedAccumulatorStillTracks()
    {
        const int tokens = 16, width = 64;
        var layers = CorrelatedLayers(5, tokens, width);
        var codec = new CrossLayerCodec(3, 4, 1, 32, QuantAxis.PerToken, AccumulatorBits: 8);
        var recon = codec.Reconstruct(codec.Encode(layers, tokens, width), tokens, width);
        Assert.IsLessThan(0.05, ErrorMetrics.RelativeFrobenius(layers[4], recon[4]));
    }

    [TestMethod]
    public void SvdIsExactAndCached()
    {
        const int d = 64, dkv = 32, tokens = 10;
        var wk = KernelTestData.Random(d * dkv, 50, 0.2f);
        var x = KernelTestData.Random(tokens * d, 51);
        string folder = Path.Combine(Path.GetTempPath(), "xqsim-svd-test-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            var f = SvdFactorization.Compute(wk, d, dkv, folder);
            var direct = ScalarReference.MatMul(x, wk, tokens, d, dkv);
            var latent = ScalarReference.MatMul(x, f.Basis, tokens, d, dkv);
            var viaLatent = ScalarReference.MatMul(latent, f.Fused, tokens, dkv, dkv);
            Assert.IsLessThan(1e-5, ErrorMetrics.RelativeFrobenius(direct, viaLatent));
            // U has orthonormal columns; singular values descend.
            var utu = ScalarReference.MatMul(Transpose(f.Basis, d, dkv), f.Basis, dkv, d, dkv);
            for (int i = 0; i < dkv; i++)
            {
                Assert.AreEqual(1.0, utu[(i * dkv) + i], 1e-5);
            }
            Assert.IsTrue(f.SingularValues.Zip(f.SingularValues.Skip(1)).All(p => p.First >= p.Second));
            Assert.AreEqual(1, Directory.GetFiles(folder, "*.bin").Length);
            var again = SvdFactorization.Compute(wk, d, dkv, folder);
            CollectionAssert.AreEqual(f.Basis, again.Basis);
            CollectionAssert.AreEqual(f.Fused, again.Fused);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void GqaLatentsRematerializeKeysAndKeepFirstChannel()
    {
        const int d = 64, dkv = 32, tokens = 48;
        var wk = KernelTestData.Random(d * dkv, 60, 0.2f);
        var x = KernelTestData.Random(tokens * d, 61);
        var f = SvdFactorization.Compute(wk, d, dkv, cacheFolder: null);
        var k = ScalarReference.MatMul(x, wk, tokens, d, dkv);
        var z = FastCpu.MatMul(x, tokens, new PackedWeights(f.Basis, d, dkv));
        var spec = new QuantSpec(4, 16, QuantAxis.PerChannel);
        foreach (bool keepFirst in new[] { false, true })
        {
            var latent = LatentMatrix.Quantize(z, tokens, dkv, spec, keepFirst);
            var zhat = latent.Dequantize();
            if (keepFirst)
            {
                for (int t = 0; t < tokens; t++)
                {
                    Assert.AreEqual((float)(Half)z[t * dkv], zhat[t * dkv]);
                }
            }
            var khat = FastCpu.MatMul(zhat, tokens, new PackedWeights(f.Fused, dkv, dkv));
            Assert.IsLessThan(0.1, ErrorMetrics.RelativeFrobenius(k, khat), $"keepFirst={keepFirst}");
        }
    }

    private static float[] Transpose(float[] a, int rows, int cols)
    {
        var t = new float[a.Length];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                t[(j * rows) + i] = a[(i * cols) + j];
            }
        }
        return t;
    }
}
