using System.CommandLine;
using System.Globalization;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Schemes;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Rendering.Reports;
using XQuant.Sim.Studies.WhatIf;

namespace XQuant.Sim.Cli;

/// <summary>xqsim whatif: hypothetical devices on a bandwidth x peak grid; heatmaps of the best scheme and of XQuant vs KIVI*.</summary>
public static class WhatIfCommand
{
    public static Command Create(CliContext ctx)
    {
        var model = CliOptions.Model();
        var schemes = CliOptions.Schemes("fp16,kivi:2,xquant-gqa:2");
        var context = CliOptions.Context("8192");
        var batch = CliOptions.Batch("16");
        var bandwidth = new Option<string>("--bandwidth") { Description = "DRAM bandwidth range lo:hi in bytes/s (log grid)", DefaultValueFactory = _ => "0.5e12:8e12" };
        var peak = new Option<string>("--peak") { Description = "dense BF16 peak range lo:hi in FLOP/s (log grid; other dtypes keep the base's ratios)", DefaultValueFactory = _ => "100e12:4e15" };
        var sram = new Option<string?>("--sram") { Description = "on-chip SRAM bytes, comma-separated: a value, lo:hi (a map at each end) or lo:hi:N (N sizes on a log grid), e.g. 0,1e6:1e9:4 (default: the base's)" };
        var baseProfile = new Option<string>("--base") { Description = "the device whose other figures the hypothetical devices keep", DefaultValueFactory = _ => "rngd" };
        var points = new Option<int>("--points") { Description = "grid points per axis (2 to 64)", DefaultValueFactory = _ => 12 };
        var outDir = new Option<string>("--out", "-o") { Description = "output folder for whatif.csv and the maps", DefaultValueFactory = _ => "whatif" };
        var format = new Option<string>("--format") { Description = "png or svg", DefaultValueFactory = _ => "png" };
        var threadsOption = ThreadsOption.Create();
        var command = new Command("whatif", "Hardware what-if: hypothetical devices (a base profile with bandwidth, peak and SRAM replaced on a log grid); maps of the fastest scheme and of XQuant's step time over KIVI*'s, with the shipped devices marked.")
        {
            model, schemes, context, batch, bandwidth, peak, sram, baseProfile, points, outDir, format, threadsOption,
        };
        command.SetAction(p =>
        {
            var errors = new List<InputError>();
            var bw = Range(p.GetValue(bandwidth)!, "--bandwidth", errors);
            var pk = Range(p.GetValue(peak)!, "--peak", errors);
            IReadOnlyList<double?> srams = [null];
            if (p.GetValue(sram) is string sramText)
            {
                srams = SramValues(sramText, errors);
            }
            int n = p.GetValue(points);
            if (n < 2 || n > 64)
            {
                errors.Add(new InputError("--points", "", $"{n} must be from 2 to 64"));
            }
            string fmt = p.GetValue(format)!;
            if (fmt is not ("png" or "svg"))
            {
                errors.Add(new InputError("--format", "", $"'{JsonFields.Truncate(fmt)}' is not allowed (allowed: png, svg)"));
            }
            int threads = 1;
            try
            {
                threads = ThreadsOption.Parse(p.GetValue(threadsOption));
            }
            catch (InputException e)
            {
                errors.AddRange(e.Errors);
            }
            if (errors.Count > 0)
            {
                throw new InputException(errors);
            }
            var m = ModelConfigLoader.Resolve(p.GetValue(model)!);
            var request = new WhatIfRequest(
                m,
                HardwareProfileLoader.Resolve(p.GetValue(baseProfile)!, "--base"),
                SchemeRegistry.ParseFor(p.GetValue(schemes)!, m),
                CliOptions.PositiveOne(p.GetValue(batch)!, "--batch", 1L << 30),
                CliOptions.PositiveOne(p.GetValue(context)!, "--context", 1L << 40),
                bw.Lo, bw.Hi, pk.Lo, pk.Hi, srams, n,
                HardwareProfileLoader.LoadAll());
            foreach (string path in OutputSet.Write(p.GetValue(outDir)!, WhatIfReport.Files(WhatIfStudy.Run(request, threads, ctx.Cancel), "." + fmt)))
            {
                ctx.Out.WriteLine(path);
            }
            return CliApp.ExitOk;
        });
        return command;
    }

    private static (double Lo, double Hi) Range(string text, string option, List<InputError> errors)
    {
        var parts = text.Split(':');
        if (parts.Length == 2 && TryPositive(parts[0], out double lo) && TryPositive(parts[1], out double hi) && hi > lo)
        {
            return (lo, hi);
        }
        errors.Add(new InputError(option, "", $"'{JsonFields.Truncate(text)}' must be lo:hi with 0 < lo < hi (e.g. 0.5e12:8e12)"));
        return (1, 2);
    }

    /// <summary>The largest number of SRAM sizes: each is a full bandwidth x peak grid and two maps.</summary>
    private const int MaxSramSizes = 16;

    /// <summary>
    /// SRAM sizes, comma-separated items: a value in bytes, lo:hi (both ends, as one map each), or lo:hi:N (N sizes on
    /// a log grid, lo &gt; 0); e.g. "0,1e6:1e9:4" maps no SRAM and 1 MB, 10 MB, 100 MB, 1 GB. Sorted, duplicates dropped.
    /// </summary>
    internal static List<double?> SramValues(string text, List<InputError> errors)
    {
        var values = new SortedSet<double>();
        bool ok = text.Length > 0;
        foreach (string item in text.Split(','))
        {
            var parts = item.Split(':');
            var bounds = parts.Take(2).Select(Bytes).ToList();
            int n = parts.Length == 3 && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int count) ? count : -1;
            if (parts.Length == 1 && bounds[0] is double one)
            {
                values.Add(one);
            }
            else if (parts.Length == 2 && bounds[0] is double lo && bounds[1] is double hi && hi > lo)
            {
                values.Add(lo);
                values.Add(hi);
            }
            else if (parts.Length == 3 && bounds[0] is double gLo && bounds[1] is double gHi && gHi > gLo && gLo > 0 && n is >= 2 and <= MaxSramSizes)
            {
                for (int i = 0; i < n; i++)
                {
                    // Exact ends; the inner points on the log grid, rounded to whole bytes so file names and rows are stable.
                    values.Add(i == 0 ? gLo : i == n - 1 ? gHi : Math.Round(gLo * Math.Pow(gHi / gLo, i / (double)(n - 1))));
                }
            }
            else
            {
                ok = false;
            }
        }
        if (!ok)
        {
            errors.Add(new InputError("--sram", "", $"'{JsonFields.Truncate(text)}' must be comma-separated bytes (0 to 1e13), lo:hi with lo < hi, or lo:hi:N with 0 < lo < hi and N from 2 to {MaxSramSizes} (e.g. 0,1e6:1e9:4)"));
            return [null];
        }
        if (values.Count > MaxSramSizes)
        {
            errors.Add(new InputError("--sram", "", $"{values.Count} sizes; at most {MaxSramSizes} (each is a full grid)"));
            return [null];
        }
        return [.. values.Select(v => (double?)v)];
    }

    private static double? Bytes(string s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= 0 && v <= 1e13 ? v : null;

    private static bool TryPositive(string s, out double v) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v) && v > 0 && double.IsFinite(v);
}
