using System.CommandLine;
using System.Globalization;
using XQuant.Kernels.Fast;
using XQuant.Kernels.Ilgpu;
using XQuant.Kernels.Ilgpu.Tiled;
using XQuant.Kernels.Suite;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Foundation.Text;

namespace XQuant.Sim.Cli;

/// <summary>xqsim kernels: runs every real kernel on one device, checks it against the scalar reference and times it.</summary>
public static class KernelsCommand
{
    private static readonly Dictionary<string, DeviceChoice> Devices = new(StringComparer.OrdinalIgnoreCase)
    {
        ["auto"] = DeviceChoice.Auto,
        ["cuda"] = DeviceChoice.Cuda,
        ["opencl"] = DeviceChoice.OpenCL,
        ["cpu"] = DeviceChoice.Cpu,
        ["ilgpu-cpu"] = DeviceChoice.IlgpuCpu,
    };

    public static Command Create(CliContext ctx)
    {
        var device = new Option<string>("--device", "-d")
        {
            Description = "auto (a GPU if ILGPU finds one, else the fast CPU path), cuda, opencl, cpu (fast CPU path), ilgpu-cpu (ILGPU's CPU emulator: correctness only)",
            DefaultValueFactory = _ => "auto",
        };
        var shape = new Option<string>("--shape")
        {
            Description = "tokens=..,d=..,dkv=..[,headdim=..,group=..,g=..]; default tokens=256,d=256,dkv=128,headdim=32,group=2,g=64",
            DefaultValueFactory = _ => "",
        };
        var repeats = new Option<int>("--repeats")
        {
            Description = "timed runs per kernel (the median is printed), after one warm-up run",
            DefaultValueFactory = _ => 5,
        };
        var roofline = new Option<bool>("--roofline")
        {
            Description = "also time the GPU-shaped ILGPU kernels at --roofline-shape on device-resident data and print each one's fraction of the --profile's DRAM bandwidth, FP32 peak and roofline (needs an ILGPU device: cuda, or ilgpu-cpu for a correctness run)",
        };
        var rooflineShape = new Option<string>("--roofline-shape")
        {
            Description = "shape of the --roofline run (same keys as --shape); default tokens=8192,d=4096,dkv=1024,headdim=128,group=4,g=128 (on ilgpu-cpu: the --shape default)",
            DefaultValueFactory = _ => "",
        };
        var profile = new Option<string>("--profile")
        {
            Description = "hardware profile id or path whose datasheet DRAM bandwidth and FP32 peak the --roofline fractions use; default: matched by the device name (H200 -> h200, H100 -> h100-sxm or h100-pcie)",
            DefaultValueFactory = _ => "",
        };
        var command = new Command("kernels", "Run the real kernels (quantize, dequantize, fused remat, decode attention variants) on a device; check against the scalar reference; print errors and median times.")
        {
            device, shape, repeats, roofline, rooflineShape, profile,
        };
        command.SetAction(p =>
        {
            // Validate every argument before any work, and report all problems together.
            var errors = new List<InputError>();
            string deviceText = p.GetValue(device)!;
            if (!Devices.TryGetValue(deviceText, out var choice))
            {
                errors.Add(new InputError("--device", "", $"'{deviceText}' is not a device (allowed: {string.Join(", ", Devices.Keys)})"));
            }
            KernelShape s = KernelShape.Default;
            try
            {
                s = ParseShape(p.GetValue(shape)!);
            }
            catch (InputException e)
            {
                errors.AddRange(e.Errors);
            }
            int n = p.GetValue(repeats);
            if (n < 1 || n > 1000)
            {
                errors.Add(new InputError("--repeats", "", $"{n} must be 1 to 1000"));
            }
            bool timeTiled = p.GetValue(roofline);
            // The emulator runs at well under a GFLOP/s: without an explicit shape it times the kernel-check shape.
            KernelShape tiledShape = choice == DeviceChoice.IlgpuCpu ? KernelShape.Default : KernelsRoofline.DefaultShape;
            string tiledShapeText = p.GetValue(rooflineShape)!;
            if (tiledShapeText.Length > 0)
            {
                try
                {
                    tiledShape = ParseShape(tiledShapeText, KernelsRoofline.DefaultShape, "--roofline-shape");
                }
                catch (InputException e)
                {
                    errors.AddRange(e.Errors);
                }
            }
            // An explicit profile is checked before any device work; without one it is matched by the device name later.
            string profileText = p.GetValue(profile)!;
            var hw = profileText.Length > 0 ? KernelsRoofline.ResolveProfile(profileText, "", errors) : null;
            if ((long)tiledShape.Tokens * tiledShape.HiddenSize > TiledRunner.MaxElements)
            {
                errors.Add(new InputError("--roofline-shape", "", $"tokens x d = {(long)tiledShape.Tokens * tiledShape.HiddenSize} elements; the kernels index with 32-bit integers (at most {TiledRunner.MaxElements})"));
            }
            if (timeTiled && choice == DeviceChoice.Cpu)
            {
                errors.Add(new InputError("--roofline", "", "needs an ILGPU device: --device cuda (or ilgpu-cpu for a correctness run of the same code)"));
            }
            if (errors.Count > 0)
            {
                throw new InputException(errors);
            }
            KernelRunner? runner = null;
            DeviceBench? bench = null;
            try
            {
                if (choice == DeviceChoice.Auto)
                {
                    runner = KernelRunner.TryCreateGpu(out string note);
                    ctx.Out.WriteLine(note);
                }
                else if (choice != DeviceChoice.Cpu)
                {
                    try
                    {
                        runner = KernelRunner.Create(choice);
                    }
                    catch (Exception e) when (e is InvalidOperationException or NotSupportedException or DllNotFoundException or TypeInitializationException
                        || e.GetType().Namespace?.StartsWith("ILGPU", StringComparison.Ordinal) == true)
                    {
                        throw new InputException("--device", "", $"{deviceText}: {e.Message}; use --device auto or cpu");
                    }
                }
                ctx.Out.WriteLine(runner is null
                    ? $"device: CPU: fast path (Vector512 {(FastCpu.Vectorized ? "on" : "off: scalar fallback")}, {Environment.ProcessorCount} threads, {Formats.Bytes(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)} memory)"
                    : $"device: {runner.Description}, {(runner.MemoryBytes >= long.MaxValue / 2 ? "host" : Formats.Bytes(runner.MemoryBytes))} memory");
                if (runner?.Accelerator.AcceleratorType == ILGPU.Runtime.AcceleratorType.CPU)
                {
                    ctx.Out.WriteLine("note: ILGPU's CPU accelerator is an emulator; its times are not performance measurements.");
                }
                ctx.Out.WriteLine($"shape: {s}");
                ctx.Out.WriteLine();
                var suite = new KernelSuite(s, n);
                var checks = suite.Run(runner);
                ctx.Out.Write(TextTable.Build(CheckColumns, checks).ToConsole());
                ctx.Out.WriteLine();
                ctx.Out.WriteLine("bit_exact: codes, FP16 scales and zeros equal the scalar reference bit for bit. max_abs_err / rel_err: float outputs vs the reference (relative Frobenius).");
                ctx.Out.WriteLine($"median_ms: median of {n} timed runs after a warm-up; ILGPU times include host-device copies.");
                ctx.Out.WriteLine();
                ctx.Out.WriteLine("error vs the FP16 path (fast CPU; relative Frobenius):");
                ctx.Out.Write(TextTable.Build(ErrorColumns, suite.SchemeErrors()).ToConsole());
                bool failed = checks.Any(c => c.BitExact == false || c.RelativeError > 1e-4);
                if (failed)
                {
                    ctx.Error.WriteLine("xqsim kernels: a kernel disagreed with the scalar reference (see the table)");
                    return CliApp.ExitInternal;
                }
                if (timeTiled && runner is null)
                {
                    ctx.Out.WriteLine();
                    ctx.Out.WriteLine("roofline: skipped: no ILGPU GPU was found (auto took the fast CPU path).");
                }
                else if (timeTiled && runner is not null)
                {
                    var profileErrors = new List<InputError>();
                    hw ??= KernelsRoofline.ResolveProfile("", runner.Accelerator.Name, profileErrors);
                    if (profileErrors.Count > 0)
                    {
                        throw new InputException(profileErrors);
                    }
                    bench = new DeviceBench(runner);
                    KernelsRoofline.Print(ctx.Out, bench, tiledShape, n, hw);
                }
                return CliApp.ExitOk;
            }
            finally
            {
                // The bench owns the runner once it exists.
                if (bench is not null)
                {
                    bench.Dispose();
                }
                else
                {
                    runner?.Dispose();
                }
            }
        });
        return command;
    }

    private static readonly TableColumn<KernelCheck>[] CheckColumns =
    [
        new("kernel", "", c => c.Kernel, AlignRight: false),
        new("impl", "", c => c.Implementation, AlignRight: false),
        new("bit_exact", "", c => c.BitExact is null ? "-" : c.BitExact.Value ? "yes" : "NO"),
        new("max_abs_err", "", c => c.BitExact is null ? Formats.Sig(c.MaxAbsError, 3) : "-"),
        new("rel_err", "", c => c.BitExact is null ? Formats.Sig(c.RelativeError, 3) : "-"),
        new("median_ms", "", c => Formats.Fixed(c.MedianSec * 1e3, 3)),
        new("note", "", c => c.Note, AlignRight: false),
    ];

    private static readonly TableColumn<SchemeError>[] ErrorColumns =
    [
        new("scheme", "", e => e.Scheme, AlignRight: false),
        new("k_rel_err", "", e => Formats.Sig(e.KeyError, 3)),
        new("v_rel_err", "", e => Formats.Sig(e.ValueError, 3)),
        new("attn_out_rel_err", "", e => Formats.Sig(e.OutputError, 3)),
    ];

    /// <summary>Parses "tokens=512,d=1024,dkv=256"; unknown keys and bad values are all reported at once.</summary>
    public static KernelShape ParseShape(string text) => ParseShape(text, KernelShape.Default, "--shape");

    /// <summary>Parses a shape over <paramref name="start"/>, naming <paramref name="option"/> in every error.</summary>
    public static KernelShape ParseShape(string text, KernelShape start, string option)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = start;
        var errors = new List<InputError>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (kv.Length != 2 || !int.TryParse(kv[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            {
                errors.Add(new InputError(option, part, "expected key=integer"));
                continue;
            }
            switch (kv[0].ToLowerInvariant())
            {
                case "tokens": s = s with { Tokens = v }; break;
                case "d": s = s with { HiddenSize = v }; break;
                case "dkv": s = s with { KvDim = v }; break;
                case "headdim": s = s with { HeadDim = v }; break;
                case "group": s = s with { QueryHeadsPerKvHead = v }; break;
                case "g": s = s with { GroupSize = v }; break;
                default: errors.Add(new InputError(option, kv[0], "unknown key (allowed: tokens, d, dkv, headdim, group, g)")); break;
            }
        }
        errors.AddRange(s.Problems().Select(m => new InputError(option, "", m)));
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }
        return s;
    }
}
