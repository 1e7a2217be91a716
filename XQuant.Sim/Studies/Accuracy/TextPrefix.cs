using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Studies.Accuracy;

/// <summary>
/// Tokenizes only as much of a text file as -n needs: a prefix of 32 characters per wanted token, doubled until
/// it yields enough tokens or the file ends. A 40 MB text with -n 40 reads a few kilobytes.
/// </summary>
public static class TextPrefix
{
    public static List<int> Encode(string path, int maxTokens, Func<string, IReadOnlyList<int>> encode)
    {
        ArgumentNullException.ThrowIfNull(encode);
        InputFiles.Require(path, long.MaxValue);
        using var reader = new StreamReader(InputFiles.Resolve(path), detectEncodingFromByteOrderMarks: true);
        var text = new System.Text.StringBuilder();
        long want = Math.Max(4096L, 32L * maxTokens);
        char[] buffer = new char[1 << 16];
        while (true)
        {
            bool ended = false;
            while (text.Length < want)
            {
                int n = reader.Read(buffer, 0, (int)Math.Min(buffer.Length, want - text.Length));
                if (n == 0)
                {
                    ended = true;
                    break;
                }
                text.Append(buffer, 0, n);
            }
            var ids = encode(text.ToString());
            // One token more than needed: the last one of a cut prefix may be a word cut in half.
            if (ended || ids.Count > maxTokens)
            {
                return ids.Take(maxTokens).ToList();
            }
            want *= 2;
        }
    }
}
