namespace XQuant.Sim.Foundation.Input;

/// <summary>
/// Finds the shipped data folders (hardware-profiles/, models/, scenarios/). Order: the XQSIM_HOME variable,
/// the current directory and its parents (a repository checkout), then the folder beside the executable
/// (an installed tool carries copies).
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
        var dir = new DirectoryInfo(Directory.GetCurrentDirectory());
        while (dir is not null)
        {
            yield return dir.FullName;
            dir = dir.Parent;
        }
        yield return AppContext.BaseDirectory;
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
