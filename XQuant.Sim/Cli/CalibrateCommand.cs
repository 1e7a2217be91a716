using System.CommandLine;
using XQuant.Sim.Calibration;
using XQuant.Sim.Input;

namespace XQuant.Sim.Cli;

/// <summary>xqsim calibrate: microbenchmarks on this host, written as a calibrated hardware profile.</summary>
public static class CalibrateCommand
{
    public static Command Create(CliContext ctx)
    {
        var device = new Option<string>("--device", "-d") { Description = "cpu (the fast CPU path; the only device calibrated so far)", DefaultValueFactory = _ => "cpu" };
        var output = new Option<string>("--out", "-o") { Description = "calibrated profile to write (JSON, hardware-profile format plus a calibration block)", DefaultValueFactory = _ => "validation/calibrated-host.json" };
        var quick = new Option<bool>("--quick") { Description = "small sizes and 3 repetitions: a smoke run, not real numbers" };
        var command = new Command("calibrate", "Measure this host with microbenchmarks (stream bandwidth, GEMM FLOP/s, dispatch latency, one kernel per class) and write a calibrated profile.")
        {
            device, output, quick,
        };
        command.SetAction(p =>
        {
            string dev = p.GetValue(device)!;
            if (!string.Equals(dev, "cpu", StringComparison.OrdinalIgnoreCase))
            {
                throw new InputException("--device", "", $"'{JsonFields.Truncate(dev)}': only cpu is calibrated so far (GPU calibration is future work; see docs/validation.md)");
            }
            string path = p.GetValue(output)!;
            ctx.Out.WriteLine($"calibrating {HostCalibrator.CpuName()} ({Environment.ProcessorCount} threads), load average {HostCalibrator.LoadAverage()}");
            var profile = HostCalibrator.Run(p.GetValue(quick) ? CalibrationPlan.Quick : CalibrationPlan.Full, ctx.Out);
            CalibratedProfileJson.Write(path, profile);
            ctx.Out.WriteLine($"wrote {path}");
            return CliApp.ExitOk;
        });
        return command;
    }
}
