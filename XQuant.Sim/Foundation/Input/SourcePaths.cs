namespace XQuant.Sim.Foundation.Input;

/// <summary>
/// How a report names the file an input came from. A profile id can resolve to a shipped file, a node file or (with
/// XQSIM_HOME) a copy elsewhere, and a path argument to anything: reports print the file actually read, so a
/// planted or edited profile is visible beside its provenance label.
/// </summary>
public static class SourcePaths
{
    /// <summary>
    /// Relative to the data root it was found in ("hardware-profiles/h100-sxm.json"), else relative to the current
    /// directory when inside it, else absolute; control characters escaped. Strings that are not files ("xqsim
    /// calibrate") come back as they are; an empty one is "(built in)".
    /// </summary>
    public static string Display(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "(built in)";
        }
        if (!File.Exists(path))
        {
            return TextSafety.OneLine(path);
        }
        string full = Path.GetFullPath(path);
        string dataRoot = Path.GetDirectoryName(Path.GetFullPath(DataPaths.Find("hardware-profiles"))) ?? "";
        foreach (string root in new[] { dataRoot, Directory.GetCurrentDirectory() })
        {
            string relative = Path.GetRelativePath(root, full);
            if (root.Length > 0 && !relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative))
            {
                return TextSafety.OneLine(relative.Replace('\\', '/'));
            }
        }
        return TextSafety.OneLine(full);
    }

    /// <summary><see cref="Display"/> for a Markdown table cell (a '|' would end the cell).</summary>
    public static string MarkdownCell(string path) => Display(path).Replace("|", "\\|", StringComparison.Ordinal);
}
