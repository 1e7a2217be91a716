using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Foundation.Output;

/// <summary>
/// The exporter pipeline's last step, shared by every command that writes files. A folder of files is written as a
/// set (<see cref="OutputFolder"/>: staged, then moved into place together); one file the user named goes through
/// <see cref="AtomicFile"/> (temporary name, then rename; devices and FIFOs written straight). Every problem with the
/// place (a file where a folder is expected, a read-only or full disk, a name too long) is an
/// <see cref="InputException"/>: one line, exit 2. Commands call <see cref="CheckFolder"/> / <see cref="CheckFile"/>
/// before computing, so a long run never ends by finding it cannot write.
/// </summary>
public static class OutputSet
{
    /// <summary>Writes every file under <paramref name="dir"/> as one set; returns their paths (dir joined with each relative path).</summary>
    public static IReadOnlyList<string> Write(string dir, IEnumerable<OutputFile> files)
    {
        using var folder = OutputFolder.Begin(dir);
        var written = folder.Write(files);
        folder.Commit();
        return written;
    }

    /// <summary>Starts a set that several steps write into (xqsim run: every exporter, then the serving cases).</summary>
    public static OutputFolder Begin(string dir) => OutputFolder.Begin(dir);

    /// <summary>Fails now (exit 2) if <paramref name="dir"/> could not take output files; leaves nothing behind.</summary>
    public static void CheckFolder(string dir)
    {
        using var folder = OutputFolder.Begin(dir);
    }

    /// <summary>Fails now (exit 2) if a file could not be written at <paramref name="path"/>; leaves nothing behind.</summary>
    public static void CheckFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        switch (FileKind.Of(path))
        {
            case PathKind.Folder:
                throw new InputException(path, "", "is a folder, expected a file name");
            case PathKind.Special:
                return;
        }
        string name = Path.GetFileName(path);
        if (name.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(name) > 255)
        {
            throw new InputException(path, "", "is not a usable file name (empty or longer than 255 bytes)");
        }
        try
        {
            using var probe = AtomicFile.Open(AtomicFile.FollowLinks(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Refusal(path, "cannot be written", e);
        }
    }

    /// <summary>Writes one file to a path the user named (e.g. --csv FILE); the file's own relative path is ignored.</summary>
    public static string WriteTo(string path, OutputFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        try
        {
            AtomicFile.Write(path, file.Write);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Refusal(path, "cannot be written", e);
        }
        return path;
    }

    /// <summary>True for "no space left on device" and "disk quota exceeded" (errno on Unix, Win32 codes on Windows).</summary>
    public static bool IsDiskFull(Exception e) =>
        e is IOException io && (io.HResult is 28 or 122 || (io.HResult & 0xFFFF) is 0x70 or 0x27);

    internal static InputException Refusal(string path, string what, Exception e) =>
        new(path, "", IsDiskFull(e) ? $"{what}: the disk is full ({OneLine(e.Message)})" : $"{what}: {OneLine(e.Message)}");

    private static string OneLine(string message) => TextSafety.OneLine(message);
}
