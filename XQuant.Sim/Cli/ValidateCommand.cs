using System.CommandLine;
using System.Globalization;
using XQuant.Kernels.Ilgpu;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Rendering.Json;
using XQuant.Sim.Rendering.Reports;
using XQuant.Sim.Studies.Measurement;

namespace XQuant.Sim.Cli;

/// <summary>xqsim validate: real kernels (and, on the CPU, decode steps), measured vs predicted from a calibrated profile.</summary>
public static class ValidateCommand
{
    public static Command Create(CliContext ctx)
    {
        var device = new Option<string>("--device", "-d") { Description = MeasureDevice.Help + "; decode steps run on cpu only", DefaultValueFactory = _ => "cpu" };
        var calibration = new Option<string?>("--calibration", "-c") { Description = "calibrated profile from xqsim calibrate on the same device; default validation/calibrated-host.json, or calibrated-cuda.json / calibrated-ilgpu-cpu.json there" };
        var output = new Option<string?>("--out", "-o") { Description = "folder for summary.csv, kernels.csv, steps.csv, roofline-points.csv, validation.md; default validation, or validation/cuda / validation/ilgpu-cpu" };
        var quick = new Option<bool>("--quick") { Description = "tiny shapes, 2 repetitions: finishes in seconds (CI smoke run; ilgpu-cpu always runs it)" };
        var schemes = new Option<string>("--schemes") { Description = "engine schemes (cpu only), comma-separated: fp16, kivi:B, xquant:B, xquant-cl:B, xquant-gqa:B, xquant-cl-gqa:B (default: fp16,kivi:2,xquant:4,xquant-cl:2; with --engine gqa: fp16,kivi:2,xquant-gqa:4,xquant-cl-gqa:2)" };
        var engine = new Option<string>("--engine") { Description = "decode engine (cpu only): mha (16 heads of 64, 16 KV heads) or gqa (16 heads, 4 KV heads: the GQA schemes' SVD latents compress)", DefaultValueFactory = _ => "mha" };
        var json = JsonOutput.Option();
        json.Description = "print one JSON document on stdout (schemas/validate.schema.json: the CSVs' rows, SI units, errors as fractions); progress goes to stderr and the files are written as without it";
        var command = new Command("validate", "Time real kernels and decode steps, predict each with the roofline on a calibrated profile, and report the signed error per kernel class and per step.")
        {
            device, calibration, output, quick, schemes, engine, json,
        };
        command.SetAction(p =>
        {
            if (p.GetValue(output) is { } outFolder)
            {
                OutputSet.CheckFolder(outFolder);
            }
            var errors = new List<InputError>();
            var choice = MeasureDevice.Parse(p.GetValue(device)!, errors);
            string engineText = p.GetValue(engine)!;
            bool gqa = engineText == "gqa";
            if (!gqa && engineText != "mha")
            {
                errors.Add(new InputError("--engine", "", $"'{JsonFields.Truncate(engineText)}' is not an engine (allowed: mha, gqa)"));
            }
            var basePlan = p.GetValue(quick) ? ValidationPlan.Quick : ValidationPlan.Full;
            var engineConfig = gqa ? ValidationPlan.Gqa(basePlan.Engine) : basePlan.Engine;
            var engineSchemes = new List<Kernels.Engine.EngineScheme>();
            string schemeText = p.GetValue(schemes) ?? string.Join(',', (gqa ? ValidationPlan.DefaultGqaSchemes : ValidationPlan.DefaultSchemes).Select(s => s.Name));
            try
            {
                foreach (var scheme in EngineModel.ParseSchemes(schemeText))
                {
                    if (scheme.Kind == Kernels.Engine.EngineSchemeKind.XQuantClGqa && 2 * engineConfig.KvDim > engineConfig.HiddenSize)
                    {
                        errors.Add(new InputError("--schemes", scheme.Name, "xquant-cl-gqa caches latents of [Wk | Wv], 2 x the KV width, which must not exceed the hidden size: use --engine gqa"));
                        continue;
                    }
                    engineSchemes.Add(scheme);
                }
            }
            catch (InputException e)
            {
                errors.AddRange(e.Errors);
            }
            string calPath = p.GetValue(calibration) ?? $"validation/calibrated-{MeasureDevice.FileTag(choice)}.json";
            var profile = LoadCalibration(calPath, choice, errors);
            // Open the device with the other checks, so one run reports every problem; nothing is written before.
            var bench = choice == DeviceChoice.Cpu || errors.Any(e => e.Source == "--device") ? null : MeasureDevice.Open(choice, errors);
            try
            {
                if (errors.Count > 0)
                {
                    throw new InputException(errors);
                }
                var plan = (p.GetValue(quick) || bench?.IsEmulator == true ? ValidationPlan.Quick : ValidationPlan.Full) with { Schemes = engineSchemes };
                plan = plan with { Engine = gqa ? ValidationPlan.Gqa(plan.Engine) : plan.Engine };
                // With --json stdout holds the document only: progress and notes go to stderr.
                bool asJson = p.GetValue(json);
                var log = asJson ? ctx.Error : ctx.Out;
                string loadBefore = HostCalibrator.LoadAverage();
                string date = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
                ValidationResult result;
                if (bench is null)
                {
                    log.WriteLine($"validating on {HostCalibrator.CpuName()} ({Environment.ProcessorCount} threads), load average {loadBefore}, calibration {calPath}");
                    result = Validator.Run(plan, profile!, log);
                }
                else
                {
                    log.WriteLine($"validating the ILGPU kernels on {bench.Runner.Description} (ILGPU {DeviceBench.IlgpuVersion}), load average {loadBefore}, calibration {calPath}");
                    if (bench.IsEmulator)
                    {
                        log.WriteLine($"note: {DeviceCalibrator.EmulatorNote} The quick plan runs.");
                    }
                    result = DeviceValidator.Run(plan, profile!, bench, log);
                }
                string loadAfter = HostCalibrator.LoadAverage();
                string dir = p.GetValue(output) ?? (bench is null ? "validation" : $"validation/{MeasureDevice.Text(choice)}");
                string cmd = "xqsim validate " + string.Join(' ', p.Tokens.Where(t => t.Type != System.CommandLine.Parsing.TokenType.Command).Select(t => t.Value));
                OutputSet.Write(dir, ValidationReport.Files(result, cmd.Trim(), loadBefore, loadAfter, date));
                if (asJson)
                {
                    ctx.Out.Write(JsonDoc.Text(ValidateJson.Document(result, MeasureDevice.Text(choice), calPath, dir, loadBefore, loadAfter, date)));
                    log.WriteLine($"wrote {dir}/summary.csv, kernels.csv, steps.csv, roofline-points.csv, validation.md");
                    return CliApp.ExitOk;
                }
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
                foreach (string note in result.Notes ?? [])
                {
                    ctx.Out.WriteLine($"note: {note}");
                }
                ctx.Out.WriteLine($"wrote {dir}/summary.csv, kernels.csv, steps.csv{(result.Steps.Count == 0 ? " (no rows)" : "")}, roofline-points.csv, validation.md; load average after: {loadAfter}");
                return CliApp.ExitOk;
            }
            finally
            {
                bench?.Dispose();
            }
        });
        return command;
    }

    /// <summary>Loads a calibrated profile and checks that it was calibrated on the kind of device being validated.</summary>
    private static HardwareProfile? LoadCalibration(string path, DeviceChoice choice, List<InputError> errors)
    {
        if (!File.Exists(path))
        {
            string device = choice == DeviceChoice.Cpu ? "" : $" --device {MeasureDevice.Text(choice)}";
            errors.Add(new InputError("--calibration", "", $"{path} not found; run 'xqsim calibrate{device} --out {path}' first"));
            return null;
        }
        try
        {
            var profile = HardwareProfileLoader.Load(path);
            if (profile.Calibration is null)
            {
                errors.Add(new InputError("--calibration", "", $"{path} is a datasheet profile (no calibration block); validate needs xqsim calibrate's output"));
                return null;
            }
            string? expected = choice switch
            {
                DeviceChoice.Cuda => DeviceCalibrator.DeviceTag(ILGPU.Runtime.AcceleratorType.Cuda),
                DeviceChoice.IlgpuCpu => DeviceCalibrator.DeviceTag(ILGPU.Runtime.AcceleratorType.CPU),
                _ => null,
            };
            bool deviceCalibration = profile.Calibration.Device.StartsWith("ILGPU ", StringComparison.Ordinal);
            if (expected is null ? deviceCalibration : !profile.Calibration.Device.StartsWith(expected + ":", StringComparison.Ordinal))
            {
                errors.Add(new InputError("--calibration", "", $"{path} was calibrated on '{JsonFields.Truncate(profile.Calibration.Device)}', not on --device {MeasureDevice.Text(choice)}; run 'xqsim calibrate --device {MeasureDevice.Text(choice)}' for it"));
                return null;
            }
            return profile;
        }
        catch (InputException e)
        {
            errors.AddRange(e.Errors);
            return null;
        }
    }
}
