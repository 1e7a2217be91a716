using System.Globalization;

namespace XQuant.Sim.Foundation.Text;

/// <summary>Culture-invariant number formatting for every report; cells hold bare numbers, units live in headers.</summary>
public static class Formats
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Round-trippable, for CSV.</summary>
    public static string Exact(double v)
    {
        if (double.IsNaN(v))
        {
            return "";
        }
        // Whole numbers below 1e15 (byte counts, batches, tokens: most cells of a sweep) print the same digits as "R"
        // through the integer formatter, which is several times faster than the shortest round-trip search. -0 and
        // 1e15 and up ("1E+15") keep "R".
        if (Math.Abs(v) < 1e15 && v == Math.Floor(v) && !(v == 0 && double.IsNegative(v)))
        {
            return ((long)v).ToString(Inv);
        }
        return v.ToString("R", Inv);
    }

    /// <summary>Four significant digits, for tables read by people.</summary>
    public static string Sig(double v, int digits = 4)
    {
        if (double.IsNaN(v))
        {
            return "n/a";
        }
        if (double.IsPositiveInfinity(v))
        {
            return "inf";
        }
        if (v == 0)
        {
            return "0";
        }
        double abs = Math.Abs(v);
        if (abs >= 1e15 || abs < 1e-4)
        {
            return v.ToString("0.###e+0", Inv);
        }
        int intDigits = (int)Math.Floor(Math.Log10(abs)) + 1;
        int decimals = Math.Clamp(digits - intDigits, 0, 10);
        return Math.Round(v, decimals, MidpointRounding.AwayFromZero).ToString("F" + decimals.ToString(Inv), Inv);
    }

    public static string Int(double v) => double.IsNaN(v) ? "n/a" : v.ToString("0", Inv);

    public static string Fixed(double v, int decimals) => double.IsNaN(v) ? "n/a" : v.ToString("F" + decimals.ToString(Inv), Inv);

    /// <summary>Bytes in binary units for people: 1.50 GiB.</summary>
    public static string Bytes(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        double v = bytes;
        int u = 0;
        while (Math.Abs(v) >= 1024 && u < units.Length - 1)
        {
            v /= 1024;
            u++;
        }
        return u == 0 ? $"{Int(v)} B" : $"{Fixed(v, 2)} {units[u]}";
    }

    public static string Seconds(double s)
    {
        if (double.IsNaN(s))
        {
            return "n/a";
        }
        return s switch
        {
            >= 1 => $"{Sig(s)} s",
            >= 1e-3 => $"{Sig(s * 1e3)} ms",
            >= 1e-6 => $"{Sig(s * 1e6)} us",
            _ => $"{Sig(s * 1e9)} ns",
        };
    }
}
