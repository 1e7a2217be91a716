using System.Runtime.InteropServices;

namespace XQuant.Sim.Foundation.Input;

/// <summary>What a path names once links are followed: nothing, a regular file, a folder, or something special.</summary>
public enum PathKind
{
    Missing,
    Regular,
    Folder,

    /// <summary>A character or block device, a FIFO, a socket, or a link to one (/dev/null, /proc/self/fd/1).</summary>
    Special,
}

/// <summary>
/// Tells regular files from special ones. .NET reports /dev/null and a FIFO as ordinary files, so a rename-based
/// write would replace them; the file type comes from stat(2) through the runtime's own native shim, whose status
/// record keeps the mode in its second field on every platform.
/// </summary>
public static partial class FileKind
{
    private const int TypeMask = 0xF000;
    private const int RegularType = 0x8000;
    private const int FolderType = 0x4000;

    public static PathKind Of(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            return PathKind.Folder;
        }
        if (!File.Exists(path))
        {
            return PathKind.Missing;
        }
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return PathKind.Regular;
        }
        int mode = ModeOf(path);
        return mode < 0 ? PathKind.Regular : (mode & TypeMask) switch
        {
            RegularType => PathKind.Regular,
            FolderType => PathKind.Folder,
            _ => PathKind.Special,
        };
    }

    private static int ModeOf(string path)
    {
        byte[] name = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        byte[] status = new byte[512];
        try
        {
            return NativeMethods.Stat(name, status) == 0 ? BitConverter.ToInt32(status, 4) : -1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return -1;
        }
    }

    private static class NativeMethods
    {
        [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int Stat(byte[] path, byte[] status);
    }
}
