using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace XQuant.Sim.Rendering.Charts;

/// <summary>
/// ScottPlot 5 has no log axis: plotted values are log10 (or log2) of the data, and the axis gets manual ticks
/// whose labels show the data values (the cookbook's LogScaleTicks recipe, with invariant labels).
/// </summary>
public static class LogAxis
{
    /// <summary>Ticks at every power of ten in [minExp, maxExp], minor ticks at 2..9 x each power.</summary>
    public static NumericManual Decades(int minExp, int maxExp, Func<double, string> label)
    {
        var ticks = new NumericManual();
        for (int e = minExp; e <= maxExp; e++)
        {
            ticks.AddMajor(e, label(Math.Pow(10, e)));
            if (e < maxExp)
            {
                for (int k = 2; k <= 9; k++)
                {
                    ticks.AddMinor(e + Math.Log10(k));
                }
            }
        }
        return ticks;
    }

    /// <summary>Ticks at powers of two between the given exponents (contexts, batches), labelled 1k, 32k, 1M.</summary>
    public static NumericManual Binary(int minExp, int maxExp)
    {
        var ticks = new NumericManual();
        for (int e = minExp; e <= maxExp; e++)
        {
            ticks.AddMajor(e, Tokens(Math.Pow(2, e)));
        }
        return ticks;
    }

    /// <summary>1, 2, ..., 512, 1k, 2k, ... 512k, 1M: binary multiples as people write context lengths.</summary>
    public static string Tokens(double v)
    {
        if (v >= 1 << 20 && v % (1 << 20) == 0)
        {
            return (v / (1 << 20)).ToString("0", CultureInfo.InvariantCulture) + "M";
        }
        if (v >= 1024 && v % 1024 == 0)
        {
            return (v / 1024).ToString("0", CultureInfo.InvariantCulture) + "k";
        }
        return v.ToString("0.###", CultureInfo.InvariantCulture);
    }

    /// <summary>Decimal SI: 0.01, 0.1, 1, 10, 100, 1k, 10k, 1M, 1G, 1T, 1P.</summary>
    public static string Si(double v)
    {
        string[] prefixes = ["", "k", "M", "G", "T", "P", "E"];
        if (v < 1)
        {
            return v.ToString("0.###", CultureInfo.InvariantCulture);
        }
        int p = 0;
        while (v >= 1000 - 1e-9 && p < prefixes.Length - 1)
        {
            v /= 1000;
            p++;
        }
        return v.ToString("0.###", CultureInfo.InvariantCulture) + prefixes[p];
    }

    public static int FloorLog10(double v) => (int)Math.Floor(Math.Log10(v) + 1e-9);

    public static int CeilLog10(double v) => (int)Math.Ceiling(Math.Log10(v) - 1e-9);

    public static void Apply(IAxis axis, NumericManual ticks, double min, double max)
    {
        axis.TickGenerator = ticks;
        axis.Min = min;
        axis.Max = max;
    }
}
