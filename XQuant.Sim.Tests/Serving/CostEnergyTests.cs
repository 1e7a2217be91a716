using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Studies.Serving;

namespace XQuant.Sim.Tests.Serving;

[TestClass]
public sealed class CostEnergyTests
{
    private static ServingSummary Summary(double outputTokPerSec, double busy) =>
        new(1, 1, 0, 10, 0.1, outputTokPerSec, outputTokPerSec, 0.1, 1, Distribution.Empty, Distribution.Empty, Distribution.Empty, Distribution.Empty, 0, 1, busy, 0.5, 0);

    [TestMethod]
    public void DollarsAndJoules_FollowTheStatedFormulas()
    {
        // 3.6 USD/h at 1000 output tok/s: 3.6 USD per 3.6 M tokens = 1 USD per million.
        var c = CostEnergy.Of(Summary(1000, 0.5), 3.6, "test", tdpWatts: 700, idleWatts: 100);
        Assert.AreEqual(1.0, c.DollarsPerMillionOutputTokens!.Value, 1e-12);
        Assert.AreEqual(400.0, c.AverageWatts!.Value, 1e-12);        // 100 + 0.5 x (700 - 100)
        Assert.AreEqual(0.4, c.JoulesPerOutputToken!.Value, 1e-12);  // 400 W / 1000 tok/s
        var none = CostEnergy.Of(Summary(1000, 0.5), null, null, tdpWatts: 700, idleWatts: null);
        Assert.IsNull(none.DollarsPerMillionOutputTokens);
        Assert.IsNull(none.JoulesPerOutputToken, "no idle power, no energy: never invented");
    }

    [TestMethod]
    public void ShippedPrices_LoadWithSourceAndDate_ForShippedProfiles()
    {
        var prices = PriceTable.Load(Path.Combine(TestPaths.RepoRoot, "data", "prices.csv"));
        Assert.IsTrue(prices.ContainsKey("h100-sxm"));
        Assert.IsFalse(prices.ContainsKey("rngd"), "no published price: left out");
        foreach (var p in prices.Values)
        {
            Assert.IsTrue(File.Exists(Path.Combine(TestPaths.HardwareProfiles, p.Device + ".json")), p.Device);
            StringAssert.StartsWith(p.Source, "https://");
        }
        var e = Assert.ThrowsExactly<InputException>(() => PriceTable.Parse(
            ["device,usd_per_device_hour,provider,offer,source,as_of,note", "x,-1,p,o,https://a,2026-01-01,n", "y,1,p,o,http://a,2026-01-01,n", "z,1,p,o,https://a,May 2026,n"], "prices.csv"));
        CollectionAssert.AreEqual(new[] { "usd_per_device_hour", "source", "as_of" }, e.Errors.Select(x => x.Field).ToArray());
    }
}
