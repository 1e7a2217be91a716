namespace XQuant.Sim.Foundation.Input;

/// <summary>
/// Opens input files defensively: links are followed before sizing (a Hugging Face cache snapshot is a folder of
/// links to blobs), only regular files are read (a FIFO would block forever, /dev/zero never ends), and JSON
/// inputs are capped at <see cref="MaxJsonBytes"/>. A UTF-8 byte-order mark is accepted and dropped.
/// </summary>
public static class InputFiles
{
    /// <summary>16 MiB: the largest shipped or Hugging Face config (tokenizer.json of a 256k vocabulary) is under 10 MiB.</summary>
    public const long MaxJsonBytes = 16L << 20;

    /// <summary>The file a path finally names, links followed; the path itself when it is no link.</summary>
    public static string Resolve(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            var info = new FileInfo(path);
            return info.LinkTarget is null ? path : info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
        }
        catch (IOException)
        {
            return path;
        }
    }

    /// <summary>Why <paramref name="path"/> cannot be read as an input file, or null: missing, a folder, not a regular file, too large.</summary>
    public static string? Problem(string path, long maxBytes)
    {
        string target = Resolve(path);
        if (Directory.Exists(target))
        {
            return "is a directory, expected a file";
        }
        if (!File.Exists(target))
        {
            return "file not found";
        }
        if (!IsRegular(target))
        {
            return "is not a regular file (a device, FIFO or socket); inputs are read from regular files only";
        }
        long length = new FileInfo(target).Length;
        return length > maxBytes
            ? $"is {length} bytes, above the {maxBytes >> 20} MiB limit for this kind of input"
            : null;
    }

    /// <summary>Throws an <see cref="InputException"/> naming the file when it cannot be read as an input.</summary>
    public static void Require(string path, long maxBytes)
    {
        if (Problem(path, maxBytes) is { } problem)
        {
            throw new InputException(path, "", problem);
        }
    }

    /// <summary>The bytes of a small input (JSON, CSV), checked as in <see cref="Problem"/>, without a UTF-8 byte-order mark.</summary>
    public static byte[] ReadSmall(string path, long maxBytes = MaxJsonBytes)
    {
        Require(path, maxBytes);
        byte[] bytes = File.ReadAllBytes(Resolve(path));
        return bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? bytes[3..] : bytes;
    }

    private static bool IsRegular(string path) => FileKind.Of(path) == PathKind.Regular;
}
