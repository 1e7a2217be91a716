using XQuant.Sim.Cli;

// Ctrl+C (SIGINT) cancels the work; atomic writes mean nothing half-written is left, and the exit code is 130.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return CliApp.Run(args, Console.Out, Console.Error, progressToTerminal: !Console.IsErrorRedirected, cancel.Token);
