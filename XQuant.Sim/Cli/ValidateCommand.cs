using System.CommandLine;
using System.Globalization;
using XQuant.Sim.Calibration;
using XQuant.Sim.Hardware;
using XQuant.Sim.Input;
using XQuant.Sim.Reports;
using XQuant.Sim.Validation;

namespace XQuant.Sim.Cli;

/// <summary>xqsim validate: real kernels and decode steps, measured vs predicted from a calibrated profile.</summary>
public static class ValidateCommand
{
    public static Command Create(CliContext ctx)
    {
        var device = new Option<string>("--device", "-d") { Description = "cpu (the fast CPU kernels and the CPU decode engine)", DefaultValueFactory = _ => "cpu" };
        var calibration = new Option<string>("--calibration", "-c") { Description = "calibrated profile from xqsim calibrate", DefaultValueFactory = _ => "validation/calibrated-host.json" };
        var output = new Option<string>("--out", "-o") { Description = "folder for summary.csv, kernels.csv, steps.csv, roofline-points.csv, validation.md", DefaultValueFactory = _ => "validation" };
        var quick = new Option<bool>("--quick") { Description = "tiny shapes, 2 repetitions: finishes in seconds (CI smoke run)" };
        var schemes = new Option<string>("--schemes") { Description = "engine schemes, comma-separated: fp16, kivi:B, xquant:B, xquant-cl:B", DefaultValueFactory = _ => "fp16,kivi:2,xquant:4,xquant-cl:2" };
        var command = new Command("validate", "Time real kernels and decode steps, predict each with the roofline on a calibrated profile, and report the signed error per kernel class and per step.")
        {
            device, calibration, output, quick, schemes,
        };
        command.SetAction(p =>
        {
            var errors = new List<InputError>();
            string dev = p.GetValue(device)!;
            if (!string.Equals(dev, "cpu", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(new InputError("--device", "", $"'{JsonFields.Truncate(dev)}': only cpu is validated so far (GPU validation is future work; see docs/validation.md)"));
            }
            var engineSchemes = new List<Kernels.Engine.EngineScheme>();
            foreach (string s in p.GetValue(schemes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                try
                {
                    engineSchemes.Add(EngineModel.ParseScheme(s));
                }
                catch (InputException e)
                {
                    errors.AddRange(e.Errors);
                }
            }
            string calPath = p.GetValue(calibration)!;
            HardwareProfile? profile = null;
            if (!File.Exists(calPath))
            {
                errors.Add(new InputError("--calibration", "", $"{calPath} not found; run 'xqsim calibrate --out {calPath}' first"));
            }
            else
            {
                try
                {
                    profile = HardwareProfileLoader.Load(calPath);
                    if (profile.Calibration is null)
                    {
                        errors.Add(new InputError("--calibration", "", $"{calPath} is a datasheet profile (no calibration block); validate needs xqsim calibrate's output"));
                    }
                }
                catch (InputException e)
                {
                    errors.AddRange(e.Errors);
                }
            }
            if (errors.Count > 0)
            {
                throw new InputException(errors);
            }
            var plan = (p.GetValue(quick) ? ValidationPlan.Quick : ValidationPlan.Full) with { Schemes = engineSchemes.Count > 0 ? engineSchemes : ValidationPlan.DefaultSchemes };
            string loadBefore = HostCalibrator.LoadAverage();
            string date = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            ctx.Out.WriteLine($"validating on {HostCalibrator.CpuName()} ({Environment.ProcessorCount} threads), load average {loadBefore}, calibration {calPath}");
            var result = Validator.Run(plan, profile!, ctx.Out);
            string loadAfter = HostCalibrator.LoadAverage();
            string dir = p.GetValue(output)!;
            string cmd = "xqsim validate " + string.Join(' ', p.Tokens.Where(t => t.Type != System.CommandLine.Parsing.TokenType.Command).Select(t => t.Value));
            ValidationReport.Write(dir, result, cmd.Trim(), loadBefore, loadAfter, date);
            ctx.Out.WriteLine();
            var summary = ValidationReport.Summary(result);
            ctx.Out.Write(TextTable.Build(
                [
                    new TableColumn<SummaryRow>("scope", "", r => r.Scope, AlignRight: false),
                    new TableColumn<SummaryRow>("tier", "", r => r.Tier, AlignRight: false),
                    new TableColumn<SummaryRow>("n", "", r => Formats.Int(r.Stats.Count)),
                    new TableColumn<SummaryRow>("median_%", "", r => Formats.Fixed(r.Stats.MedianSigned * 100, 1)),
                    new TableColumn<SummaryRow>("median_|%|", "", r => Formats.Fixed(r.Stats.MedianAbs * 100, 1)),
                    new TableColumn<SummaryRow>("p90_|%|", "", r => Formats.Fixed(r.Stats.P90Abs * 100, 1)),
                    new TableColumn<SummaryRow>("worst_%", "", r => Formats.Fixed(r.Stats.WorstSigned * 100, 1)),
                ], summary).ToConsole());
            ctx.Out.WriteLine($"wrote {dir}/summary.csv, kernels.csv, steps.csv, roofline-points.csv, validation.md; load average after: {loadAfter}");
            return CliApp.ExitOk;
        });
        return command;
    }
}
