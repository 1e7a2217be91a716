namespace XQuant.Sim.Foundation.Input;

/// <summary>One problem with one input: which file (or CLI argument), which field, what is wrong and what is allowed.</summary>
public sealed record InputError(string Source, string Field, string Message)
{
    public override string ToString() =>
        TextSafety.OneLine(string.IsNullOrEmpty(Field) ? $"{Source}: {Message}" : $"{Source}: {Field}: {Message}");
}

/// <summary>Thrown after validation collected every problem; the CLI prints one line each and exits 2.</summary>
public sealed class InputException : Exception
{
    public InputException(IReadOnlyList<InputError> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    public InputException(string source, string field, string message)
        : this([new InputError(source, field, message)])
    {
    }

    public InputException()
        : this([])
    {
    }

    public InputException(string message)
        : this("input", "", message)
    {
    }

    public InputException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new InputError("input", "", message)];
    }

    public IReadOnlyList<InputError> Errors { get; }
}
