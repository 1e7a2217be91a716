using System.Globalization;
using XQuant.Sim.Foundation.Text;

namespace XQuant.Sim.Tests.CpuPerf;

/// <summary>Formats.Exact's integer fast path writes the very bytes "R" writes: every CSV of a sweep depends on it.</summary>
[TestClass]
public sealed class ExactFormatTests
{
    [TestMethod]
    public void Exact_IsTheRoundTripText_ForWholeNumbersOfEveryMagnitude_AndForEverythingElse()
    {
        var values = new List<double> { 0, -0.0, 1, -1, 1e14, 1e15 - 1, 1e15, -1e15, 1e15 + 2, 1e16, 9007199254740992, 1e300, -1e300, double.MaxValue, double.MinValue, double.Epsilon, 0.5, -2.5, 1.0003483280865504, double.PositiveInfinity, double.NegativeInfinity };
        for (int e = 0; e <= 20; e++)
        {
            double p = Math.Pow(10, e);
            values.AddRange([p, p - 1, p + 1, -p, p * 1.5]);
        }
        for (int e = 0; e <= 62; e++)
        {
            double p = Math.Pow(2, e);
            values.AddRange([p, p - 1, p + 1, -p]);
        }
        var rng = new Random(19);
        for (int i = 0; i < 200_000; i++)
        {
            double magnitude = Math.Pow(10, rng.Next(0, 18));
            double v = Math.Floor(rng.NextDouble() * magnitude) * (rng.Next(2) == 0 ? 1 : -1);
            values.Add(v);
            values.Add(v + rng.NextDouble());
        }
        foreach (double v in values)
        {
            Assert.AreEqual(v.ToString("R", CultureInfo.InvariantCulture), Formats.Exact(v), $"bits {BitConverter.DoubleToInt64Bits(v)}");
        }
        Assert.AreEqual("", Formats.Exact(double.NaN));
    }
}
