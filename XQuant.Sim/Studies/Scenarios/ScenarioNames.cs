namespace XQuant.Sim.Studies.Scenarios;

/// <summary>
/// A scenario's name becomes its default output folder (out/NAME), so it must be an identifier: no path separator,
/// no "." or "..", no control character, no leading dot (hidden), at most 100 characters.
/// </summary>
public static class ScenarioNames
{
    public const int MaxLength = 100;

    /// <summary>Why <paramref name="name"/> cannot be a scenario name, or null when it can.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }
        if (name.Length > MaxLength)
        {
            return $"is {name.Length} characters long; a name is at most {MaxLength} (it becomes the folder out/NAME)";
        }
        if (name.Any(char.IsControl))
        {
            return "contains a control character; a name is an identifier (it becomes the folder out/NAME)";
        }
        if (name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) || name.Contains(':', StringComparison.Ordinal))
        {
            return "contains a path separator; a name is an identifier such as 'quickstart' (it becomes the folder out/NAME)";
        }
        if (name.StartsWith('.') || name.Trim().Length == 0)
        {
            return "starts with '.' or is blank; a name is an identifier such as 'quickstart' (it becomes the folder out/NAME)";
        }
        return null;
    }
}
