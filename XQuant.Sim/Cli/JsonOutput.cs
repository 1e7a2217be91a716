using System.CommandLine;

namespace XQuant.Sim.Cli;

/// <summary>The --json switch: the command prints one JSON document on stdout (schemas/*.schema.json) and no text.</summary>
public static class JsonOutput
{
    public static Option<bool> Option() => new("--json") { Description = "print one JSON document on stdout (SI units, unit in each key; schema in schemas/) instead of text" };
}
