using System.CommandLine;
using XQuant.Kernels.Ilgpu;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Studies.Measurement;

namespace XQuant.Sim.Cli;

/// <summary>xqsim calibrate: microbenchmarks on this host or an ILGPU device, written as a calibrated hardware profile.</summary>
public static class CalibrateCommand
{
    public static Command Create(CliContext ctx)
    {
        var device = new Option<string>("--device", "-d") { Description = MeasureDevice.Help, DefaultValueFactory = _ => "cpu" };
        var output = new Option<string?>("--out", "-o") { Description = "calibrated profile to write (JSON, hardware-profile format plus a calibration block); default validation/calibrated-host.json, or calibrated-cuda.json / calibrated-ilgpu-cpu.json there" };
        var quick = new Option<bool>("--quick") { Description = "small sizes and 3 repetitions: a smoke run, not real numbers (ilgpu-cpu always runs it)" };
        var command = new Command("calibrate", "Measure this host or an ILGPU device with microbenchmarks (stream bandwidth, GEMM FLOP/s, launch latency, one kernel per class) and write a calibrated profile.")
        {
            device, output, quick,
        };
        command.SetAction(p =>
        {
            var errors = new List<InputError>();
            var choice = MeasureDevice.Parse(p.GetValue(device)!, errors);
            if (errors.Count > 0)
            {
                throw new InputException(errors);
            }
            string path = p.GetValue(output) ?? $"validation/calibrated-{MeasureDevice.FileTag(choice)}.json";
            OutputSet.CheckFile(path);
            if (choice == DeviceChoice.Cpu)
            {
                ctx.Out.WriteLine($"calibrating {HostCalibrator.CpuName()} ({Environment.ProcessorCount} threads), load average {HostCalibrator.LoadAverage()}");
                var profile = HostCalibrator.Run(p.GetValue(quick) ? CalibrationPlan.Quick : CalibrationPlan.Full, ctx.Out);
                OutputSet.WriteTo(path, CalibratedProfileJson.File(path, profile));
                ctx.Out.WriteLine($"wrote {path}");
                return CliApp.ExitOk;
            }
            // The device opens before anything is measured or written: an absent GPU leaves no file behind.
            using var bench = MeasureDevice.Open(choice, errors) ?? throw new InputException(errors);
            ctx.Out.WriteLine($"calibrating {bench.Runner.Description} (ILGPU {DeviceBench.IlgpuVersion}), load average {HostCalibrator.LoadAverage()}");
            bool quickPlan = p.GetValue(quick) || bench.IsEmulator;
            if (bench.IsEmulator)
            {
                ctx.Out.WriteLine($"note: {DeviceCalibrator.EmulatorNote} The quick plan runs (full sizes would take hours here).");
            }
            var deviceProfile = DeviceCalibrator.Run(bench, quickPlan ? DeviceCalibrationPlan.Quick : DeviceCalibrationPlan.Full, ctx.Out);
            OutputSet.WriteTo(path, CalibratedProfileJson.File(path, deviceProfile));
            ctx.Out.WriteLine($"wrote {path}");
            return CliApp.ExitOk;
        });
        return command;
    }
}
