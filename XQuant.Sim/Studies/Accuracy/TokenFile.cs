using System.Globalization;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Studies.Accuracy;

/// <summary>Token ids from a file: one integer per line (blank lines and '#' comments skipped), or little-endian int32 for a .bin file.</summary>
public static class TokenFile
{
    public static IReadOnlyList<int> Read(string path, int vocab, int maxTokens)
    {
        if (!File.Exists(path))
        {
            throw new InputException(path, "", "token file not found");
        }
        InputFiles.Require(path, long.MaxValue);
        path = InputFiles.Resolve(path);
        var ids = new List<int>();
        var errors = new List<InputError>();
        if (path.EndsWith(".bin", StringComparison.OrdinalIgnoreCase))
        {
            long length = new FileInfo(path).Length;
            if (length % 4 != 0)
            {
                throw new InputException(path, "", $"a .bin token file holds int32 ids, but its size {length} is not a multiple of 4");
            }
            using var reader = new BinaryReader(File.OpenRead(path));
            for (long i = 0; i < length / 4 && ids.Count < maxTokens; i++)
            {
                int id = reader.ReadInt32();
                if (id < 0 || id >= vocab)
                {
                    errors.Add(new InputError(path, $"id {i}", $"{id} is outside the vocabulary 0..{vocab - 1}"));
                    break;
                }
                ids.Add(id);
            }
        }
        else
        {
            int line = 0;
            foreach (string raw in File.ReadLines(path))
            {
                line++;
                string s = raw.Trim();
                if (s.Length == 0 || s.StartsWith('#'))
                {
                    continue;
                }
                if (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int id) || id >= vocab)
                {
                    errors.Add(new InputError(path, $"line {line}", $"'{JsonFields.Truncate(s)}' is not a token id 0..{vocab - 1}"));
                    break;
                }
                ids.Add(id);
                if (ids.Count >= maxTokens)
                {
                    break;
                }
            }
        }
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }
        if (ids.Count < 2)
        {
            throw new InputException(path, "", $"needs at least 2 token ids (found {ids.Count})");
        }
        return ids;
    }
}
