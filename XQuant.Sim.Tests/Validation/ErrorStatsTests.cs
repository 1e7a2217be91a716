using XQuant.Sim.Studies.Measurement;

namespace XQuant.Sim.Tests.Validation;

[TestClass]
public sealed class ErrorStatsTests
{
    [TestMethod]
    public void SignedError_NegativeWhenTheModelIsOptimistic()
    {
        Assert.AreEqual(-0.5, ErrorStats.SignedError(1.0, 2.0), 1e-15);
        Assert.AreEqual(0.25, ErrorStats.SignedError(5.0, 4.0), 1e-15);
        Assert.ThrowsExactly<ArgumentException>(() => ErrorStats.SignedError(1.0, 0.0));
    }

    [TestMethod]
    public void Percentile_InterpolatesLinearly_LikeNumpy()
    {
        double[] v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        Assert.AreEqual(5.5, ErrorStats.Percentile(v, 0.5), 1e-12);
        Assert.AreEqual(9.1, ErrorStats.Percentile(v, 0.9), 1e-12); // numpy.percentile(range(1, 11), 90)
        Assert.AreEqual(1.0, ErrorStats.Percentile(v, 0.0));
        Assert.AreEqual(10.0, ErrorStats.Percentile(v, 1.0));
        Assert.AreEqual(7.0, ErrorStats.Percentile([7.0], 0.9));
        Assert.IsTrue(double.IsNaN(ErrorStats.Percentile([], 0.5)));
    }

    [TestMethod]
    public void FromPairs_HandMadeData()
    {
        // Signed errors: -0.5, +0.25, 0, +0.1, -0.2.
        var s = ErrorStats.FromPairs([(1, 2), (5, 4), (3, 3), (1.1, 1), (0.8, 1)]);
        Assert.AreEqual(5, s.Count);
        Assert.AreEqual((-0.5 + 0.25 + 0 + 0.1 - 0.2) / 5, s.MeanSigned, 1e-12);
        Assert.AreEqual(0.0, s.MedianSigned, 1e-12);   // sorted: -0.5 -0.2 0 0.1 0.25
        Assert.AreEqual(0.2, s.MedianAbs, 1e-12);      // |e| sorted: 0 0.1 0.2 0.25 0.5
        Assert.AreEqual(0.25 + (0.6 * 0.25), s.P90Abs, 1e-12); // position 3.6 between 0.25 and 0.5
        Assert.AreEqual(-0.5, s.WorstSigned, 1e-12);
    }

    [TestMethod]
    public void Median_AndSpread()
    {
        Assert.AreEqual(3.0, ErrorStats.Median([5, 1, 3]));
        Assert.AreEqual(2.5, ErrorStats.Median([4, 1, 3, 2]));
        // P10 = 1 + 0.2 x (3 - 1) = 1.4, P90 = 3 + 0.8 x (5 - 3) = 4.6, median 3.
        Assert.AreEqual((4.6 - 1.4) / 3.0, ErrorStats.Spread([5, 1, 3]), 1e-12);
        // One stalled run among eleven does not move the interdecile spread past the others.
        Assert.AreEqual(0.0, ErrorStats.Spread([2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 50]), 1e-12);
    }
}
