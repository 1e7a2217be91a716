using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Studies.Serving;

namespace XQuant.Sim.Tests.ServingSpec;

[TestClass]
public sealed class AcceptanceSamplerTests
{
    [TestMethod]
    [DataRow(1, 0.5)]
    [DataRow(3, 0.7)]
    [DataRow(4, 0.9)]
    [DataRow(8, 0.6)]
    public void Mean_IsE_WithinMonteCarloTolerance(int k, double a)
    {
        // n = 1 + leading accepted drafts: E[n] = (1 - a^(k+1)) / (1 - a); 200,000 seeded draws, 5 standard errors.
        const int Draws = 200_000;
        var sampler = new AcceptanceSampler(7);
        double sum = 0, sumSq = 0;
        for (int i = 0; i < Draws; i++)
        {
            int n = sampler.Draw(k, a);
            Assert.IsTrue(n >= 1 && n <= k + 1, $"{n} outside 1..{k + 1}");
            sum += n;
            sumSq += (double)n * n;
        }
        double mean = sum / Draws;
        double sd = Math.Sqrt(sumSq / Draws - mean * mean);
        double expected = (1 - Math.Pow(a, k + 1)) / (1 - a);
        Assert.AreEqual(expected, SpecDecoding.ExpectedTokens(k, a), 1e-12);
        Assert.AreEqual(expected, mean, 5 * sd / Math.Sqrt(Draws), $"k={k} a={a}");
    }

    [TestMethod]
    public void EdgeRates_AllOrNothing()
    {
        var sampler = new AcceptanceSampler(1);
        for (int i = 0; i < 1000; i++)
        {
            Assert.AreEqual(4, sampler.Draw(3, 1.0), "a = 1 accepts every draft: k + 1 tokens");
            Assert.AreEqual(1, sampler.Draw(3, 0.0), "a = 0 accepts none: the target's own token");
            Assert.AreEqual(1, sampler.Draw(0, 0.9), "k = 0 is plain decode");
        }
    }

    [TestMethod]
    public void SameSeed_SameStream_OtherSeed_Another()
    {
        static int[] Stream(ulong seed)
        {
            var s = new AcceptanceSampler(seed);
            return Enumerable.Range(0, 200).Select(_ => s.Draw(5, 0.7)).ToArray();
        }
        CollectionAssert.AreEqual(Stream(1), Stream(1));
        CollectionAssert.AreNotEqual(Stream(1), Stream(2));
    }
}
