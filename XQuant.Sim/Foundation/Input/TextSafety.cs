using System.Globalization;
using System.Text;

namespace XQuant.Sim.Foundation.Input;

/// <summary>
/// Text from files and arguments echoed back to a terminal: control characters (newlines, ANSI escapes, NUL) are
/// shown as \n, \e, \u0000, so a one-line error stays one line and a hostile name cannot drive the terminal.
/// </summary>
public static class TextSafety
{
    public static string OneLine(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }
        if (!text.Any(NeedsEscape))
        {
            return text;
        }
        var sb = new StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            if (!NeedsEscape(c))
            {
                sb.Append(c);
                continue;
            }
            sb.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\u001b' => "\\e",
                _ => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
            });
        }
        return sb.ToString();
    }

    private static bool NeedsEscape(char c) => char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085';
}
