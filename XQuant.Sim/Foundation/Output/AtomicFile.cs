namespace XQuant.Sim.Foundation.Output;

/// <summary>
/// Every output file is written under a temporary name in the same folder and renamed when complete, so an
/// interrupted or failed run never leaves a half-written report behind.
/// </summary>
public static class AtomicFile
{
    /// <summary>Opens a temporary file beside <paramref name="path"/>; it becomes <paramref name="path"/> only on Commit.</summary>
    public static PendingFile Open(string path) => new(path);

    public static void Write(string path, Action<Stream> write)
    {
        using var pending = Open(path);
        write(pending.Stream);
        pending.Commit();
    }

    public static void WriteText(string path, string text) =>
        Write(path, s =>
        {
            using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), leaveOpen: true);
            w.Write(text);
        });

    public static void WriteBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));
}

/// <summary>A file being written under a temporary name; disposed without Commit, it vanishes.</summary>
public sealed class PendingFile : IDisposable
{
    private readonly string _final;
    private readonly string _temp;
    private bool _committed;

    internal PendingFile(string path)
    {
        _final = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(_final) ?? ".";
        Directory.CreateDirectory(dir);
        _temp = Path.Combine(dir, $".{Path.GetFileName(_final)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        Stream = new FileStream(_temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
    }

    public Stream Stream { get; }

    public void Commit()
    {
        Stream.Flush();
        Stream.Dispose();
        File.Move(_temp, _final, overwrite: true);
        _committed = true;
    }

    public void Dispose()
    {
        Stream.Dispose();
        if (!_committed && File.Exists(_temp))
        {
            File.Delete(_temp);
        }
    }
}
