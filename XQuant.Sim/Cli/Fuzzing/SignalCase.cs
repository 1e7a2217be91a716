namespace XQuant.Sim.Cli.Fuzzing;

/// <summary>One planned interruption: which xqsim command runs as a child, which signal it gets, and when.</summary>
/// <param name="Command">A short name for the command line (run-sweep, simulate, accuracy, ...).</param>
/// <param name="Args">xqsim's arguments; every output goes under <paramref name="OutDir"/>.</param>
/// <param name="Signal">INT, TERM or HUP.</param>
/// <param name="DelayMs">Time from the child's start to the signal.</param>
public sealed record SignalCase(int Index, string Command, IReadOnlyList<string> Args, string Signal, int SignalNumber, int DelayMs, string OutDir);

/// <summary>What happened to one interrupted child, and the rule it broke (null = acceptable).</summary>
/// <param name="ExitCode">The child's exit code; -1 when it did not stop and was killed.</param>
/// <param name="FinishedFirst">The child had exited before the signal was due.</param>
/// <param name="StopSec">Seconds from the signal to the exit (0 when it finished first).</param>
/// <param name="Output">none, complete or partial: the state of the output folder afterwards.</param>
public sealed record SignalOutcome(SignalCase Case, int ExitCode, bool FinishedFirst, double StopSec, string Output, string Stderr, string? Problem);
