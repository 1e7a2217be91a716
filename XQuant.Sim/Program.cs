using System.Runtime.InteropServices;
using XQuant.Sim.Cli;
using XQuant.Sim.Foundation.Output;

// SIGINT, SIGTERM and SIGHUP cancel the work. Commands that watch the token stop by themselves; any that is still
// busy a second later is stopped here: every temporary file and staging folder is removed and the process exits
// with 128 + the signal (130, 143, 129). Output sets commit under a lock the stop also takes, so a run ends either
// with its whole set of files (committed before the signal) or with none of them.
using var cancel = new CancellationTokenSource();
int signalNumber = 0;
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    int number = context.Signal switch
    {
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGTERM => 15,
        PosixSignal.SIGHUP => 1,
        _ => 15,
    };
    if (Interlocked.CompareExchange(ref signalNumber, number, 0) != 0)
    {
        return;
    }
    OutputGate.Stop();
    cancel.Cancel();
    var watchdog = new Thread(() =>
    {
        Thread.Sleep(TimeSpan.FromSeconds(0.8));
        OutputGate.AbandonAll();
        Console.Error.WriteLine("xqsim: interrupted; no partial output was left");
        Environment.Exit(128 + number);
    })
    { IsBackground = true };
    watchdog.Start();
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using var sighup = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);
int code = CliApp.Run(args, Console.Out, Console.Error, progressToTerminal: !Console.IsErrorRedirected, cancel.Token);
if (Volatile.Read(ref signalNumber) is int signaled and > 0 && code == CliApp.ExitInterrupted)
{
    OutputGate.AbandonAll();
    return 128 + signaled;
}
return code;
