namespace XQuant.Sim.Foundation.Output;

/// <summary>
/// The exporter pipeline's last step, shared by every command that writes files: each file goes through
/// <see cref="AtomicFile"/> (temporary name, then rename), in the order given, and the paths written come back.
/// </summary>
public static class OutputSet
{
    /// <summary>Writes every file under <paramref name="dir"/>; returns their paths (dir joined with each relative path).</summary>
    public static IReadOnlyList<string> Write(string dir, IEnumerable<OutputFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var written = new List<string>();
        foreach (var f in files)
        {
            string path = Path.Combine(dir, f.RelativePath);
            AtomicFile.Write(path, f.Write);
            written.Add(path);
        }
        return written;
    }

    /// <summary>Writes one file to a path the user named (e.g. --csv FILE); the file's own relative path is ignored.</summary>
    public static string WriteTo(string path, OutputFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        AtomicFile.Write(path, file.Write);
        return path;
    }
}
