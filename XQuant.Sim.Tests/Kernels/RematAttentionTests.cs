using XQuant.Kernels.Attention;
using XQuant.Kernels.Fast;
using XQuant.Kernels.Quantization;
using XQuant.Kernels.Reference;

namespace XQuant.Sim.Tests.Kernels;

[TestClass]
public sealed class RematAttentionTests
{
    private const int Tokens = 150;
    private const int D = 64;
    private static readonly AttentionShape Shape = new(4, 2, 16);
    private static readonly RopeTable Rope = new(Tokens + 1, 16, 10000);

    [TestMethod]
    [DataRow(70, 96, 80, 4)]
    [DataRow(100, 300, 40, 3)]
    public void RematAgreesAcrossImplementations(int rows, int k, int n, int bits)
    {
        var x = KernelTestData.Random(rows * k, 11);
        var w = KernelTestData.Random(k * n, 12, 0.1f);
        var xq = ScalarReference.Quantize(x, rows, k, new QuantSpec(bits, 32, QuantAxis.PerToken));
        var reference = ScalarReference.Remat(xq, w, n);
        var fast = FastCpu.Remat(xq, new PackedWeights(w, k, n));
        Assert.IsLessThan(1e-5, KernelTestData.RelativeError(reference, fast), "fast CPU");
        if (rows * k * n <= 1_000_000)
        {
            var gpu = KernelTestData.IlgpuCpu.Remat(xq, w, n, colsPerThread: 16);
            Assert.IsLessThan(1e-5, KernelTestData.RelativeError(reference, gpu), "ILGPU CPU");
        }
        // Remat is exactly X^ W: same as dequantizing first and multiplying densely.
        var dense = FastCpu.MatMul(ScalarReference.Dequantize(xq), rows, new PackedWeights(w, k, n));
        Assert.IsLessThan(1e-6, KernelTestData.RelativeError(fast, dense));
    }

    [TestMethod]
    public void RopeRotatesPairsAndKeepsNorms()
    {
        var row = new float[] { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
        Rope.Apply(row, 3);
        // Element 0 pairs with element 8 (rotate-half): angle 3 x theta^0 = 3 rad.
        Assert.AreEqual(MathF.Cos(3), row[0], 1e-6f);
        Assert.AreEqual(MathF.Sin(3), row[8], 1e-6f);
        Assert.AreEqual(1.0, Math.Sqrt(row.Sum(v => (double)v * v)), 1e-6);
    }

    private static (float[] q, float[] x, float[] wk, float[] wv, float[] k, float[] v) Data()
    {
        var x = KernelTestData.Random(Tokens * D, 21);
        var wk = KernelTestData.Random(D * Shape.KvDim, 22, 0.3f);
        var wv = KernelTestData.Random(D * Shape.KvDim, 23, 0.3f);
        var q = KernelTestData.Random(Shape.QueryDim, 24);
        var k = ScalarReference.MatMul(x, wk, Tokens, D, Shape.KvDim);
        var v = ScalarReference.MatMul(x, wv, Tokens, D, Shape.KvDim);
        return (q, x, wk, wv, k, v);
    }

    [TestMethod]
    public void Fp16AttentionAgreesAcrossImplementations()
    {
        var (q, _, _, _, k, v) = Data();
        var reference = ScalarReference.DecodeAttention(q, k, v, Tokens, Shape, Rope);
        Assert.IsLessThan(1e-5, KernelTestData.RelativeError(reference, FastCpu.DecodeAttention(q, k, v, Tokens, Shape, Rope)));
        Assert.IsLessThan(1e-5, KernelTestData.RelativeError(reference, KernelTestData.IlgpuCpu.DecodeAttention(q, k, v, Tokens, Shape, Rope)));
    }

    [TestMethod]
    public void QuantizedKvAttentionIsCloseToFp16()
    {
        var (q, _, _, _, k, v) = Data();
        var fp16 = ScalarReference.DecodeAttention(q, k, v, Tokens, Shape, Rope);
        var kq = ScalarReference.Quantize(k, Tokens, Shape.KvDim, new QuantSpec(8, 32, QuantAxis.PerChannel));
        var vq = ScalarReference.Quantize(v, Tokens, Shape.KvDim, new QuantSpec(8, 32, QuantAxis.PerToken));
        var reference = ScalarReference.AttentionQuantizedKv(q, kq, vq, Shape, Rope);
        Assert.IsLessThan(1e-5, KernelTestData.RelativeError(reference, FastCpu.AttentionQuantizedKv(q, kq, vq, Shape, Rope)));
        Assert.IsLessThan(2e-2, KernelTestData.RelativeError(fp16, reference), "8-bit KV vs FP16");
    }

    [TestMethod]
    public void RematFusedEqualsUnfusedAndVAbsorptionAgrees()
    {
        var (q, x, wk, wv, k, v) = Data();
        var xq = ScalarReference.Quantize(x, Tokens, D, new QuantSpec(8, 32, QuantAxis.PerToken));
        var wkv = ScalarReference.JoinColumns(wk, wv, D, Shape.KvDim);
        var packed = new PackedWeights(wkv, D, 2 * Shape.KvDim);
        var reference = ScalarReference.AttentionRemat(q, xq, wkv, Shape, Rope);
        var fused = FastCpu.AttentionRemat(q, xq, packed, Shape, Rope);
        var unfused = FastCpu.AttentionRematUnfused(q, xq, packed, Shape, Rope);
        Assert.IsLessThan(1e-5, KernelTestData.RelativeError(reference, fused), "fused vs reference");
        Assert.IsLessThan(1e-5, KernelTestData.RelativeError(unfused, fused), "fused vs unfused");
        var absorbedRef = ScalarReference.AttentionVAbsorbed(q, xq, wk, wv, Shape, Rope);
        Assert.IsLessThan(1e-5, KernelTestData.RelativeError(reference, absorbedRef), "V-absorbed reference");
        var absorbed = FastCpu.AttentionVAbsorbed(q, xq, new PackedWeights(wk, D, Shape.KvDim), wv, Shape, Rope);
        Assert.IsLessThan(1e-5, KernelTestData.RelativeError(reference, absorbed), "V-absorbed fast");
        var fp16 = ScalarReference.DecodeAttention(q, k, v, Tokens, Shape, Rope);
        Assert.IsLessThan(2e-2, KernelTestData.RelativeError(fp16, reference), "XQuant 8-bit vs FP16");
    }
}
