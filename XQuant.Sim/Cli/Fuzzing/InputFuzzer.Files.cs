using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Cli.Fuzzing;

/// <summary>
/// The "files" kind: the same input slots (model config, hardware profile, scenario, CSV and folder outputs) given
/// files of every awkward shape: FIFOs, devices, links (good, dangling, looping, to devices), folders, empty, sparse
/// and oversized files, byte-order marks, names of 255 and 300 bytes. A case passes when it exits 0 or 2 within the
/// time limit, names the file on exit 2, and leaves no temporary file or staging folder behind.
/// </summary>
public static partial class InputFuzzer
{
    private static readonly string[] Shapes =
    [
        "fifo", "dev-zero", "dev-null", "dev-full", "link-good", "link-dangling", "link-loop", "link-dev", "folder", "empty",
        "sparse-17MiB", "bom", "long-255", "long-300",
    ];

    private static readonly string[] Slots = ["model", "profile", "scenario", "csv", "out"];

    private static IEnumerable<FuzzCase> FileCases(int count, int seed, string workDir)
    {
        var rng = new Random(seed);
        Directory.CreateDirectory(workDir);
        string validModel = Path.Combine(DataPaths.Find("models"), "llama-2-7b.json");
        for (int i = 0; i < count; i++)
        {
            string shape = Shapes[(i + rng.Next(Shapes.Length)) % Shapes.Length];
            string slot = Slots[rng.Next(Slots.Length)];
            string dir = Path.Combine(workDir, $"files-{i}");
            Directory.CreateDirectory(dir);
            string? path = MakeShape(shape, dir, slot == "model" ? validModel : null);
            if (path is null)
            {
                continue;
            }
            string[] args = slot switch
            {
                "model" => ["memory", "-m", path, "-s", "fp16,xquant:4", "-c", "64"],
                "profile" => ["ledger", "-H", path, "-m", "llama-2-7b", "--scheme", "xquant:4", "-c", "64"],
                "scenario" => ["run", path, "--out", Path.Combine(dir, "out")],
                "csv" => ["memory", "-m", "llama-2-7b", "-c", "64", "--csv", path],
                _ => ["compare", "-H", "h100-sxm", "-m", "llama-2-7b", "-s", "fp16", "-c", "64", "--out", path],
            };
            // A FIFO with no reader is a valid output target that would wait for one; only inputs get FIFOs.
            if (shape == "fifo" && slot is "csv")
            {
                continue;
            }
            yield return new FuzzCase("files", $"{slot}:{shape}", args, path, null, null);
        }
    }

    /// <summary>Creates one awkward file; null when the platform cannot make it.</summary>
    private static string? MakeShape(string shape, string dir, string? validJson)
    {
        string path = Path.Combine(dir, "input.json");
        bool unix = OperatingSystem.IsLinux() || OperatingSystem.IsMacOS();
        switch (shape)
        {
            case "fifo":
                if (!unix)
                {
                    return null;
                }
                using (var p = System.Diagnostics.Process.Start("mkfifo", [path]))
                {
                    p.WaitForExit();
                }
                return path;
            case "dev-zero":
                return unix ? "/dev/zero" : null;
            case "dev-null":
                return unix ? "/dev/null" : null;
            case "dev-full":
                return unix ? "/dev/full" : null;
            case "link-good":
                File.WriteAllText(path + ".blob", validJson ?? "{}");
                File.CreateSymbolicLink(path, path + ".blob");
                return path;
            case "link-dangling":
                File.CreateSymbolicLink(path, Path.Combine(dir, "missing"));
                return path;
            case "link-loop":
                File.CreateSymbolicLink(path, path + ".b");
                File.CreateSymbolicLink(path + ".b", path);
                return path;
            case "link-dev":
                if (!unix)
                {
                    return null;
                }
                File.CreateSymbolicLink(path, "/dev/zero");
                return path;
            case "folder":
                Directory.CreateDirectory(path);
                return path;
            case "empty":
                File.WriteAllBytes(path, []);
                return path;
            case "sparse-17MiB":
                using (var f = File.Create(path))
                {
                    f.SetLength(InputFiles.MaxJsonBytes + 1);
                }
                return path;
            case "bom":
                File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(validJson is null ? "{}" : File.ReadAllText(validJson))]);
                return path;
            case "long-255":
                return Path.Combine(dir, new string('n', 250) + ".json");
            default:
                return Path.Combine(dir, new string('n', 300) + ".json");
        }
    }

    /// <summary>Temporary files and staging folders left anywhere under <paramref name="workDir"/> (goal: none).</summary>
    public static IReadOnlyList<string> Leftovers(string workDir) =>
        Directory.Exists(workDir)
            ? Directory.EnumerateFileSystemEntries(workDir, ".xqsim-*", SearchOption.AllDirectories)
                .Where(p => !p.EndsWith(Foundation.Output.OutputFolder.ManifestName, StringComparison.Ordinal)).ToList()
            : [];
}
