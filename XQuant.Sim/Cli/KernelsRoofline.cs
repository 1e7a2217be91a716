using XQuant.Kernels.Ilgpu;
using XQuant.Kernels.Ilgpu.Tiled;
using XQuant.Kernels.Suite;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Foundation.Text;

namespace XQuant.Sim.Cli;

/// <summary>
/// The --roofline part of xqsim kernels: times the GPU-shaped ILGPU kernels (<see cref="TiledBench"/>) at a large
/// shape and prints each one's achieved fraction of a hardware profile's datasheet DRAM bandwidth and FP32 peak, and
/// of the roofline bound (the larger of bytes / bandwidth and flops / peak).
/// </summary>
public static class KernelsRoofline
{
    /// <summary>A decode-sized shape for a GPU: 8192 tokens of a 4096-wide model, 8 KV heads of 128, G = 128.</summary>
    public static KernelShape DefaultShape { get; } = new(8192, 4096, 1024, HeadDim: 128, QueryHeadsPerKvHead: 4, GroupSize: 128);

    /// <summary>
    /// The profile for a device: --profile when given (id or path), else one matched by the device name (H200 ->
    /// h200, H100 PCIe -> h100-pcie, other H100 -> h100-sxm); null when neither, and the fractions print as "-".
    /// </summary>
    public static HardwareProfile? ResolveProfile(string profileText, string deviceName, List<InputError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        string? id = profileText.Length > 0 ? profileText : Match(deviceName);
        if (id is null)
        {
            return null;
        }
        try
        {
            return HardwareProfileLoader.Resolve(id, "--profile");
        }
        catch (InputException e)
        {
            errors.AddRange(e.Errors);
            return null;
        }
    }

    /// <summary>The shipped profile id a device name matches, or null.</summary>
    public static string? Match(string deviceName)
    {
        ArgumentNullException.ThrowIfNull(deviceName);
        if (deviceName.Contains("H200", StringComparison.OrdinalIgnoreCase))
        {
            return "h200";
        }
        if (deviceName.Contains("H100", StringComparison.OrdinalIgnoreCase))
        {
            return deviceName.Contains("PCIe", StringComparison.OrdinalIgnoreCase) ? "h100-pcie" : "h100-sxm";
        }
        return null;
    }

    public static void Print(TextWriter output, DeviceBench bench, KernelShape shape, int repeats, HardwareProfile? profile)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(bench);
        ArgumentNullException.ThrowIfNull(shape);
        output.WriteLine();
        output.WriteLine($"GPU-shaped ILGPU kernels, device-resident, {shape} (median of {repeats} runs after 2 warm-ups{(bench.IsEmulator ? "" : ", L2 evicted before each")}):");
        if (bench.IsEmulator)
        {
            output.WriteLine("emulator: these times are of ILGPU's CPU accelerator, not of any GPU; the fractions only exercise the code path a CUDA run takes.");
        }
        double bw = profile?.Dram.BandwidthBytesPerSec ?? double.NaN;
        double peak = profile?.Peak(DType.Fp32) ?? double.NaN;
        if (profile is null)
        {
            output.WriteLine($"no hardware profile matches '{bench.Accelerator.Name}': pass --profile ID (e.g. h200, h100-sxm) for fractions.");
        }
        else
        {
            output.WriteLine($"limits ({profile.Provenance.ToString().ToLowerInvariant()}, {profile.Id}: {profile.Name}): DRAM {Formats.Sig(bw / 1e9, 4)} GB/s, FP32 {Formats.Sig(peak / 1e12, 3)} TFLOP/s (non-tensor: these kernels issue FFMA, not tensor-core MMA).");
        }
        var rows = new TiledBench(bench).Run(shape, repeats);
        double readBw = rows[0].BytesPerSec;
        var columns = new TableColumn<TiledMeasurement>[]
        {
            new("kernel", "", m => m.Kernel, AlignRight: false),
            new("min_MB", "", m => Formats.Sig(m.MinimumBytes / 1e6, 4)),
            new("GFLOP", "", m => Formats.Sig(m.Flops / 1e9, 4)),
            new("flop/B", "", m => m.Flops == 0 ? "0" : Formats.Sig(m.FlopsPerByte, 3)),
            new("median_ms", "", m => Formats.Fixed(m.MedianSec * 1e3, 3)),
            new("GB/s", "", m => Empty(m) ? "-" : Formats.Sig(m.BytesPerSec / 1e9, 4)),
            new("GFLOP/s", "", m => m.Flops == 0 ? "-" : Formats.Sig(m.FlopsPerSec / 1e9, 4)),
            new("%read", "", m => Empty(m) ? "-" : Percent(m.BytesPerSec / readBw)),
            new("%DRAM", "", m => Empty(m) ? "-" : Percent(m.BytesPerSec / bw)),
            new("%FP32", "", m => m.Flops == 0 ? "-" : Percent(m.FlopsPerSec / peak)),
            new("bound", "", m => Empty(m) ? "-" : double.IsNaN(bw) ? "-" : m.FlopsPerByte > peak / bw ? "compute" : "memory"),
            new("%roofline", "", m => Empty(m) ? "-" : Percent(Math.Max(m.MinimumBytes / bw, m.Flops / peak) / m.MedianSec)),
            new("note", "", m => m.Note, AlignRight: false),
        };
        output.Write(TextTable.Build(columns, rows).ToConsole());
        output.WriteLine();
        output.WriteLine("min_MB: the least DRAM traffic of the work (inputs read once, outputs written once, no scratch); GB/s and %DRAM count only that, so");
        output.WriteLine("re-reads and scratch show up as a lower fraction. %read: of the read-only pass in this run (measured). %DRAM, %FP32: of the profile's");
        output.WriteLine("datasheet figures. %roofline: max(min_MB / DRAM, GFLOP / FP32 peak) / time. Predictions for H100/H200: docs/kernels.md.");
    }

    private static bool Empty(TiledMeasurement m) => m.MinimumBytes == 0 && m.Flops == 0;

    private static string Percent(double fraction) => double.IsNaN(fraction) || double.IsInfinity(fraction) ? "-" : Formats.Fixed(100 * fraction, 1) + "%";
}
