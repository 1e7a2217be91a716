namespace XQuant.Sim.Tests;

/// <summary>Locates the repository's data folders from the test binary, so tests run from any directory.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRoot();

    public static string HardwareProfiles => Path.Combine(RepoRoot, "hardware-profiles");
    public static string Models => Path.Combine(RepoRoot, "models");
    public static string Scenarios => Path.Combine(RepoRoot, "scenarios");
    public static string Golden => Path.Combine(RepoRoot, "XQuant.Sim.Tests", "Golden");

    public static string Model(string id) => Path.Combine(Models, id + ".json");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "XQuant.Sim.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("XQuant.Sim.sln not found above " + AppContext.BaseDirectory);
    }

    public static string NewTempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "xqsim-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
