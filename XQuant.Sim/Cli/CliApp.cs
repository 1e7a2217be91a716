using System.CommandLine;
using System.Globalization;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Foundation.Output;

namespace XQuant.Sim.Cli;

/// <summary>
/// The xqsim command line. Exit codes: 0 done, 1 an internal failure (a bug: please report), 2 bad input
/// (one line per problem naming the file or argument and field, output places included: read-only, full, a file
/// where a folder belongs), 130 interrupted (Program.cs turns it into 128 + the signal: 130 SIGINT, 143 SIGTERM,
/// 129 SIGHUP).
/// </summary>
public static class CliApp
{
    public const int ExitOk = 0;
    public const int ExitInternal = 1;
    public const int ExitBadInput = 2;
    public const int ExitInterrupted = 130;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, bool progressToTerminal = false, CancellationToken cancel = default)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        var context = new CliContext(stdout, stderr, progressToTerminal, cancel);
        var root = new RootCommand("xqsim: which KV-cache scheme (FP16 KV, KIVI*, XQuant, XQuant-CL) pays off on which hardware, and why.");
        foreach (var command in Commands.All(context))
        {
            root.Subcommands.Add(command);
        }
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            if (CommandNames.Unknown(args, root) is { } unknown)
            {
                stderr.WriteLine(unknown);
                return ExitBadInput;
            }
            foreach (var error in parse.Errors)
            {
                stderr.WriteLine($"xqsim: {TextSafety.OneLine(error.Message)}");
            }
            stderr.WriteLine("xqsim: see 'xqsim --help'");
            return ExitBadInput;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception) when (cancel.IsCancellationRequested || OutputGate.Stopping)
        {
            // A signal arrived: whatever failed afterwards failed because of the stop; nothing was committed.
            stderr.WriteLine("xqsim: interrupted; no partial output was left");
            return ExitInterrupted;
        }
        catch (InputException e)
        {
            foreach (var error in e.Errors)
            {
                stderr.WriteLine(error.ToString());
            }
            return ExitBadInput;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("xqsim: interrupted; no partial output was left");
            return ExitInterrupted;
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException e)
        {
            // Patterns come from input files (tokenizer.json): one that backtracks for seconds is bad input.
            stderr.WriteLine($"xqsim: a pattern from an input file took longer than {e.MatchTimeout.TotalSeconds} s on its text (pattern '{TextSafety.OneLine(JsonFields.Truncate(e.Pattern))}'); refusing it");
            return ExitBadInput;
        }
        catch (IOException e) when (OutputSet.IsDiskFull(e))
        {
            stderr.WriteLine($"xqsim: the disk is full: {TextSafety.OneLine(e.Message)}; nothing was written");
            return ExitBadInput;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("XQSIM_DEBUG") != "1")
        {
            // Bad input never gets here (it is InputException); this is a bug, reported in one line.
            stderr.WriteLine($"xqsim: internal error: {e.GetType().Name}: {TextSafety.OneLine(e.Message)} (please report it; XQSIM_DEBUG=1 shows the stack trace)");
            return ExitInternal;
        }
    }
}

/// <summary>Where commands write, how they learn of Ctrl+C, and whether a terminal wants progress lines.</summary>
public sealed record CliContext(TextWriter Out, TextWriter Error, bool ProgressToTerminal = false, CancellationToken Cancel = default);
