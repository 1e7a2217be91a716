using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Foundation.Output;

/// <summary>
/// One run's set of files for one output folder, atomic as a set. Files are written into a fresh staging folder
/// inside it (<c>.xqsim-staging-PID-GUID</c>); Commit moves them into place under an exclusive lock on the folder's
/// manifest (<c>.xqsim-files</c>, the list of files the last run wrote) and removes the files of the previous run
/// that this one did not write. Two runs into one folder therefore never mix: the last to commit wins whole.
/// Files xqsim did not write (not in the manifest) are never touched. Disposed without Commit, the staging folder
/// goes, and so does the output folder when this run created it and it is still empty.
/// </summary>
public sealed class OutputFolder : IDisposable
{
    public const string ManifestName = ".xqsim-files";
    private const string StagingPrefix = ".xqsim-staging-";

    private readonly List<string> _written = [];
    private readonly bool _createdFolder;
    private bool _done;

    private OutputFolder(string dir, string staging, bool createdFolder)
    {
        Dir = dir;
        Staging = staging;
        _createdFolder = createdFolder;
    }

    /// <summary>The folder as the user named it; paths returned to print are joined to it.</summary>
    public string Dir { get; }

    /// <summary>Where this run's files are written until Commit.</summary>
    public string Staging { get; }

    /// <summary>
    /// Checks the folder can take the run's files (it is not a file, it can be created, it is writable) by creating
    /// the staging folder; every problem is an <see cref="InputException"/> (exit 2) before any computation.
    /// </summary>
    public static OutputFolder Begin(string dir)
    {
        ArgumentException.ThrowIfNullOrEmpty(dir);
        string full;
        try
        {
            full = Path.GetFullPath(dir);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new InputException(dir, "", "is not a usable folder name");
        }
        if (FileKind.Of(full) is PathKind.Regular or PathKind.Special)
        {
            throw new InputException(dir, "", "is a file, expected a folder for the output files");
        }
        bool created = !Directory.Exists(full);
        string staging = Path.Combine(full, $"{StagingPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(staging);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (created)
            {
                TryRemoveEmpty(full);
            }
            throw OutputSet.Refusal(dir, "cannot be written", e);
        }
        var folder = new OutputFolder(dir, staging, created);
        OutputGate.Track(folder, folder.Abandon);
        return folder;
    }

    /// <summary>Writes files into staging; returns the paths they will have after Commit.</summary>
    public IReadOnlyList<string> Write(IEnumerable<OutputFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var paths = new List<string>();
        foreach (var f in files)
        {
            string relative = CheckRelative(f.RelativePath);
            string staged = Path.Combine(Staging, relative);
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(staged)!);
                using var stream = new FileStream(staged, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
                f.Write(stream);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw OutputSet.Refusal(Path.Combine(Dir, relative), "cannot be written", e);
            }
            Adopt(relative);
            paths.Add(Path.Combine(Dir, relative));
        }
        return paths;
    }

    /// <summary>Records a file some other writer put into <see cref="Staging"/> (a streamed CSV).</summary>
    public string Adopt(string relativePath)
    {
        string relative = CheckRelative(relativePath);
        if (!_written.Contains(relative, StringComparer.Ordinal))
        {
            _written.Add(relative);
        }
        return Path.Combine(Dir, relative);
    }

    /// <summary>Moves every staged file into place as one step (see the type's summary); after a signal, refuses.</summary>
    public void Commit()
    {
        string full = Path.GetFullPath(Dir);
        string manifestPath = Path.Combine(full, ManifestName);
        lock (OutputGate.CommitLock)
        {
            OutputGate.ThrowIfStopping();
            using var manifest = OpenManifest(manifestPath);
            var previous = ReadLines(manifest);
            foreach (string relative in _written)
            {
                string target = Path.Combine(full, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                if (Directory.Exists(target))
                {
                    throw new InputException(Path.Combine(Dir, relative), "", "is a folder, expected a file xqsim writes");
                }
                File.Move(Path.Combine(Staging, relative), target, overwrite: true);
            }
            foreach (string old in previous.Except(_written, StringComparer.Ordinal))
            {
                string stale = Path.Combine(full, old);
                if (IsSafeRelative(old) && File.Exists(stale))
                {
                    File.Delete(stale);
                }
            }
            manifest.SetLength(0);
            using (var w = new StreamWriter(manifest, new System.Text.UTF8Encoding(false), leaveOpen: true))
            {
                w.NewLine = "\n";
                foreach (string relative in _written)
                {
                    w.WriteLine(relative);
                }
            }
            manifest.Flush();
            _done = true;
        }
        DeleteStaging();
        OutputGate.Untrack(this);
    }

    public void Dispose()
    {
        if (!_done)
        {
            Abandon();
            _done = true;
        }
        OutputGate.Untrack(this);
    }

    private void Abandon()
    {
        DeleteStaging();
        if (_createdFolder)
        {
            TryRemoveEmpty(Path.GetFullPath(Dir));
        }
    }

    private void DeleteStaging()
    {
        if (Directory.Exists(Staging))
        {
            Directory.Delete(Staging, recursive: true);
        }
    }

    private static void TryRemoveEmpty(string dir)
    {
        try
        {
            if (Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any())
            {
                Directory.Delete(dir);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Someone else is using the folder now; leaving an empty folder is harmless.
        }
    }

    /// <summary>The manifest doubles as the folder's lock: another run's commit waits (up to a minute) for this one.</summary>
    private static FileStream OpenManifest(string path)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 600 && File.Exists(path))
            {
                Thread.Sleep(100);
            }
        }
    }

    private static List<string> ReadLines(FileStream manifest)
    {
        using var r = new StreamReader(manifest, leaveOpen: true);
        var lines = new List<string>();
        while (r.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                lines.Add(line);
            }
        }
        manifest.Position = 0;
        return lines;
    }

    private static string CheckRelative(string relative) =>
        IsSafeRelative(relative) ? relative : throw new InvalidOperationException($"output file name '{relative}' leaves its folder");

    private static bool IsSafeRelative(string relative) =>
        relative.Length > 0 && !Path.IsPathRooted(relative) && !relative.Split('/', '\\').Any(p => p is ".." or "." or "")
        && !relative.StartsWith(".xqsim", StringComparison.Ordinal) && !relative.Any(char.IsControl);
}
