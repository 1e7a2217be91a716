namespace XQuant.Sim.Cli.Fuzzing;

/// <summary>One generated input: the command line that feeds it to xqsim, and the field it broke (when known).</summary>
/// <param name="Kind">profile, model, scenario, scheme, cli, files or tokenizer.</param>
/// <param name="File">The mutated file, named in every error line; null for scheme and CLI cases.</param>
/// <param name="Field">The JSON field the mutation changed; an error line must name it when xqsim rejects the input.</param>
public sealed record FuzzCase(string Kind, string Mutation, IReadOnlyList<string> Args, string? File, string? Field, string? OutDir)
{
    /// <summary>A second input an exit-2 line may name instead of <see cref="File"/> (the tokenizer kind's text file).</summary>
    public string? OtherFile { get; init; }
}

/// <summary>What happened: the exit code, what was printed, and the rule it broke (null = acceptable).</summary>
public sealed record FuzzOutcome(FuzzCase Case, int ExitCode, string Stderr, string? Problem);
