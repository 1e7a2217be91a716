using XQuant.Sim.Input;

namespace XQuant.Sim.Checkpoints;

/// <summary>Placeholder until the tokenizer.json reader lands.</summary>
public sealed class TokenizerJson
{
    private TokenizerJson()
    {
    }

    public static TokenizerJson Load(string path) => throw new InputException(path, "", "text input is not implemented yet; tokenize elsewhere and use --token-file");

    public string Path { get; } = "";

    public IEnumerable<int> Encode(string text, bool addBos) => Path.Length > 0 ? [] : [];
}
