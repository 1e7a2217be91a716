namespace XQuant.Sim.Foundation.Input;

/// <summary>
/// Finds the shipped data folders (hardware-profiles/, models/, scenarios/). Only three places count, in this
/// order: the XQSIM_HOME variable, a checkout (the nearest folder holding XQuant.Sim.sln above the current
/// directory, then above the executable), and the folder beside the executable (an installed tool carries copies).
/// A stray models/ or hardware-profiles/ folder in some parent directory (~/models, /tmp) is never picked up.
/// </summary>
public static class DataPaths
{
    public static string Find(string folder)
    {
        foreach (string root in Roots())
        {
            string candidate = Path.Combine(root, folder);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        return Path.Combine(Directory.GetCurrentDirectory(), folder);
    }

    private static IEnumerable<string> Roots()
    {
        string? home = Environment.GetEnvironmentVariable("XQSIM_HOME");
        if (!string.IsNullOrEmpty(home))
        {
            yield return home;
        }
        if (Checkout(Directory.GetCurrentDirectory()) is { } here)
        {
            yield return here;
        }
        if (Checkout(AppContext.BaseDirectory) is { } tool)
        {
            yield return tool;
        }
        yield return AppContext.BaseDirectory;
    }

    /// <summary>The repository root above <paramref name="start"/>: the nearest folder holding XQuant.Sim.sln.</summary>
    public static string? Checkout(string start)
    {
        var dir = new DirectoryInfo(start);
        while (dir is not null)
        {
            if (File.Exists(Path.Combine(dir.FullName, "XQuant.Sim.sln")))
            {
                return dir.FullName;
            }
            dir = dir.Parent;
        }
        return null;
    }

    /// <summary>An argument names a file when it has a path separator or a .json extension; otherwise it is an id.</summary>
    public static bool LooksLikePath(string nameOrPath) =>
        nameOrPath.Contains('/', StringComparison.Ordinal) || nameOrPath.Contains('\\', StringComparison.Ordinal)
        || nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    public static IReadOnlyList<string> Ids(string directory) =>
        Directory.Exists(directory)
            ? Directory.GetFiles(directory, "*.json")
                .Select(f => Path.GetFileNameWithoutExtension(f))
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];
}
