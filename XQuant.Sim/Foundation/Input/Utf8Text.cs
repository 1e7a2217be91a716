using System.Buffers;
using System.Text;

namespace XQuant.Sim.Foundation.Input;

/// <summary>
/// UTF-8 checks for inputs parsed with System.Text.Json, which validates a string's bytes only when the string is
/// read (an InvalidOperationException deep inside a loader); checking the whole input first gives one line instead.
/// </summary>
public static class Utf8Text
{
    /// <summary>The offset of the first byte that does not start a valid UTF-8 sequence; null when all of it is valid.</summary>
    public static int? FirstInvalidByte(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return null;
        }
        int at = 0;
        while (at < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[at..], out _, out int used) != OperationStatus.Done)
            {
                return at;
            }
            at += used;
        }
        return null;
    }
}
