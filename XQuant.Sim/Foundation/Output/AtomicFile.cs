using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Foundation.Output;

/// <summary>
/// Every output file is written under a temporary name in the same folder and renamed when complete, so an
/// interrupted or failed run never leaves a half-written report behind. Only regular files get that treatment:
/// a device, a FIFO or a link to one (/dev/null, /dev/stdout, /proc/self/fd/1) is written straight, never replaced.
/// A link to a regular file is followed, so the link stays and its target gets the new content.
/// </summary>
public static class AtomicFile
{
    /// <summary>Opens a temporary file beside <paramref name="path"/>; it becomes <paramref name="path"/> only on Commit.</summary>
    public static PendingFile Open(string path) => new(path);

    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        switch (FileKind.Of(path))
        {
            case PathKind.Folder:
                throw new InputException(path, "", "is a folder, expected a file name");
            case PathKind.Special:
                // Written in place: renaming over a device or FIFO would replace it (as root, /dev/null itself).
                using (var direct = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1 << 16))
                {
                    write(direct);
                    direct.Flush();
                }
                return;
            default:
                using (var pending = Open(FollowLinks(path)))
                {
                    write(pending.Stream);
                    pending.Commit();
                }
                return;
        }
    }

    public static void WriteText(string path, string text) =>
        Write(path, s =>
        {
            using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), leaveOpen: true);
            w.Write(text);
        });

    public static void WriteBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));

    /// <summary>A link to a regular file is written through: the file it names changes, the link stays a link.</summary>
    internal static string FollowLinks(string path)
    {
        var info = new FileInfo(path);
        return info.LinkTarget is null ? path : info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
    }
}

/// <summary>
/// A file being written under a temporary name; disposed without Commit, it vanishes, even when closing it fails
/// (a full disk fails at close) or a signal stops the process (<see cref="OutputGate"/> knows every open one).
/// The temporary name has a fixed length, so a final name of up to 255 bytes is still possible.
/// </summary>
public sealed class PendingFile : IDisposable
{
    private readonly string _final;
    private readonly string _temp;
    private bool _committed;
    private bool _disposed;

    internal PendingFile(string path)
    {
        _final = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(_final) ?? ".";
        Directory.CreateDirectory(dir);
        _temp = Path.Combine(dir, $".xqsim-{Environment.ProcessId}-{Guid.NewGuid():N}.tmp");
        OutputGate.Track(this, DeleteTemp);
        try
        {
            Stream = new FileStream(_temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        }
        catch
        {
            OutputGate.Untrack(this);
            throw;
        }
    }

    public Stream Stream { get; }

    public void Commit()
    {
        Stream.Flush();
        Stream.Dispose();
        lock (OutputGate.CommitLock)
        {
            OutputGate.ThrowIfStopping();
            File.Move(_temp, _final, overwrite: true);
            _committed = true;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        try
        {
            Stream.Dispose();
        }
        catch (IOException)
        {
            // Closing flushes; on a full disk that fails. The file is abandoned either way, so it is deleted below.
        }
        finally
        {
            if (!_committed)
            {
                DeleteTemp();
            }
            OutputGate.Untrack(this);
        }
    }

    private void DeleteTemp()
    {
        if (File.Exists(_temp))
        {
            File.Delete(_temp);
        }
    }
}
