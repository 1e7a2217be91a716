using XQuant.Kernels.Ilgpu;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Cli;

/// <summary>The --device of calibrate and validate: cpu (fast CPU kernels), cuda (ILGPU on an NVIDIA GPU), ilgpu-cpu (ILGPU's emulator).</summary>
public static class MeasureDevice
{
    private static readonly Dictionary<string, DeviceChoice> Choices = new(StringComparer.OrdinalIgnoreCase)
    {
        ["cpu"] = DeviceChoice.Cpu,
        ["cuda"] = DeviceChoice.Cuda,
        ["ilgpu-cpu"] = DeviceChoice.IlgpuCpu,
    };

    public const string Help = "cpu (the fast CPU kernels; default), cuda (the ILGPU kernels on an NVIDIA GPU), ilgpu-cpu (ILGPU's CPU emulator: a correctness run of the GPU path, its times are not measurements)";

    /// <summary>The --device value of a choice.</summary>
    public static string Text(DeviceChoice choice) => Choices.First(c => c.Value == choice).Key;

    /// <summary>The name part of each device's default calibration file: calibrated-host.json (cpu), calibrated-cuda.json, ...</summary>
    public static string FileTag(DeviceChoice choice) => choice == DeviceChoice.Cpu ? "host" : Text(choice);

    public static DeviceChoice Parse(string text, List<InputError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (Choices.TryGetValue(text, out var choice))
        {
            return choice;
        }
        errors.Add(new InputError("--device", "", $"'{JsonFields.Truncate(text)}' is not a device (allowed: {string.Join(", ", Choices.Keys)})"));
        return DeviceChoice.Cpu;
    }

    /// <summary>
    /// Opens the ILGPU device, or adds one --device error when it is absent (no stack trace, nothing written yet).
    /// A device that opens but whose kernels fail to compile is not bad input: that exception propagates.
    /// </summary>
    public static DeviceBench? Open(DeviceChoice choice, List<InputError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        KernelRunner runner;
        try
        {
            runner = KernelRunner.Create(choice);
        }
        catch (InvalidOperationException) when (choice == DeviceChoice.Cuda)
        {
            errors.Add(new InputError("--device", "", "cuda: no CUDA device found (needs an NVIDIA GPU and driver); use --device cpu, or ilgpu-cpu for a correctness run of the GPU path"));
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or DllNotFoundException or TypeInitializationException
            || e.GetType().Namespace?.StartsWith("ILGPU", StringComparison.Ordinal) == true)
        {
            errors.Add(new InputError("--device", "", $"{Text(choice)}: {e.Message}"));
            return null;
        }
        try
        {
            return new DeviceBench(runner);
        }
        catch
        {
            runner.Dispose();
            throw;
        }
    }
}
