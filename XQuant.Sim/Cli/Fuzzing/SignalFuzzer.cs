using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Foundation.Output;

namespace XQuant.Sim.Cli.Fuzzing;

/// <summary>
/// The "signals" kind: real xqsim child processes running long commands (a million-case sweep, a large serving
/// simulation, an accuracy study that does not watch the cancellation token) and short ones (which may finish
/// first), each sent SIGINT, SIGTERM or SIGHUP at a seeded delay. The rules (docs/robustness.md, Signals): the child
/// exits within <see cref="StopLimitSec"/> s of the signal with 128 + the signal (130, 143, 129), or with 0 when its
/// output set was committed first; its output folder holds nothing or a complete set (every file its manifest
/// lists, nothing else), never a partial one; no temporary file or staging folder is left; no stack trace.
/// Children are separate processes because a signal goes to a whole process; Linux only.
/// </summary>
public static partial class SignalFuzzer
{
    /// <summary>The promise is about a second; 5 s leaves room for a loaded machine (as SignalTests does).</summary>
    public const double StopLimitSec = 5;

    /// <summary>A child still running this long after its signal is a hang; it is then killed.</summary>
    public const double HangLimitSec = 20;

    public static readonly IReadOnlyList<(string Name, int Number)> Signals = [("INT", 2), ("TERM", 15), ("HUP", 1)];

    private static readonly string[] Commands = ["run-sweep", "simulate", "accuracy", "run-quickstart", "compare"];

    /// <summary>
    /// Children per run: each costs about a second of start-up and up to a few seconds of work, so the kind starts
    /// count / 25 of them (at least 3, at most <paramref name="count"/>): 20 for the default 500, 8 for 200.
    /// </summary>
    public static int Processes(int count) => Math.Min(count, Math.Max(3, count / 25));

    /// <summary>The seeded plan: every choice (command, signal, delay) comes from <paramref name="seed"/> alone.</summary>
    public static IReadOnlyList<SignalCase> Plan(int processes, int seed, string workDir)
    {
        var rng = new Random(seed);
        string scenarios = DataPaths.Find("scenarios");
        var plan = new List<SignalCase>();
        // Commands and signals in turn from seeded starts: any 3 cases carry every signal, any 5 every command, and
        // 15 every pairing (3 and 5 are coprime); the delay is drawn per case.
        int commandStart = rng.Next(Commands.Length), signalStart = rng.Next(Signals.Count);
        for (int i = 0; i < processes; i++)
        {
            string command = Commands[(commandStart + i) % Commands.Length];
            var (name, number) = Signals[(signalStart + i) % Signals.Count];
            // From during start-up (before the handlers are registered) to well into the work.
            int delayMs = rng.Next(50, 2500);
            string outDir = Path.Combine(workDir, $"sig-{i}", "out");
            string[] args = command switch
            {
                "run-sweep" => ["run", Path.Combine(scenarios, "sweep-1m.json"), "--out", outDir],
                "simulate" => ["simulate", "-m", "llama-3.1-8b", "-H", "h100-sxm", "-n", "100000", "--rate", "100", "--charts", "none", "--out", outDir],
                "accuracy" => ["accuracy", "-m", "synthetic-mha", "-n", "3000", "--out", outDir],
                "run-quickstart" => ["run", Path.Combine(scenarios, "quickstart.json"), "--out", outDir],
                _ => ["compare", "-H", "h100-sxm,h200", "-m", "llama-2-7b", "-s", "fp16,xquant:4", "-c", "64", "--out", outDir],
            };
            plan.Add(new SignalCase(i, command, args, name, number, delayMs, outDir));
        }
        return plan;
    }

    /// <summary>Starts the child, signals it at its delay, waits for it, and judges what it left.</summary>
    public static SignalOutcome Run(SignalCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        string caseDir = Path.GetDirectoryName(c.OutDir)!;
        Directory.CreateDirectory(caseDir);
        var (host, prefix) = Xqsim();
        var psi = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = caseDir,
        };
        foreach (string a in prefix.Concat(c.Args))
        {
            psi.ArgumentList.Add(a);
        }
        var stderr = new StringBuilder();
        using var p = Process.Start(psi)!;
        // Both pipes are drained as the child writes, so it never blocks on a full pipe.
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        bool finishedFirst = p.WaitForExit(c.DelayMs);
        double stopSec = 0;
        int code;
        if (!finishedFirst)
        {
            var clock = Stopwatch.StartNew();
            PosixKill.Send(p.Id, c.SignalNumber);
            if (p.WaitForExit(TimeSpan.FromSeconds(HangLimitSec)))
            {
                stopSec = clock.Elapsed.TotalSeconds;
                p.WaitForExit(); // the asynchronous readers finish
                code = p.ExitCode;
            }
            else
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit();
                stopSec = clock.Elapsed.TotalSeconds;
                code = -1;
            }
        }
        else
        {
            p.WaitForExit();
            code = p.ExitCode;
        }
        string err;
        lock (stderr)
        {
            err = stderr.ToString();
        }
        return Judge(c, code, finishedFirst, stopSec, OutputState(c.OutDir), err, InputFuzzer.Leftovers(caseDir).Count);
    }

    /// <summary>The rules for one finished child (apart from running it, so a test can plant a rule-breaker).</summary>
    public static SignalOutcome Judge(SignalCase c, int exitCode, bool finishedFirst, double stopSec, string output, string stderr, int leftovers)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(stderr);
        int interrupted = 128 + c.SignalNumber;
        string? problem = null;
        if (exitCode == -1)
        {
            problem = $"still running {HangLimitSec.ToString(CultureInfo.InvariantCulture)} s after SIG{c.Signal}";
        }
        else if (StackTrace().IsMatch(stderr))
        {
            problem = "stack trace printed";
        }
        else if (finishedFirst ? exitCode != 0 : exitCode != interrupted && exitCode != 0)
        {
            problem = finishedFirst
                ? $"exit code {exitCode} before any signal"
                : $"exit code {exitCode} after SIG{c.Signal} (expected {interrupted}, or 0 with its output committed first)";
        }
        else if (output == "partial")
        {
            problem = "a partial output set was left";
        }
        else if (exitCode == 0 && output != "complete")
        {
            problem = "exit 0 without a complete output set";
        }
        else if (leftovers > 0)
        {
            problem = $"{leftovers} temporary files or staging folders left";
        }
        else if (!finishedFirst && stopSec > StopLimitSec)
        {
            problem = $"stopped {stopSec.ToString("0.0", CultureInfo.InvariantCulture)} s after SIG{c.Signal} (limit {StopLimitSec.ToString(CultureInfo.InvariantCulture)} s)";
        }
        return new SignalOutcome(c, exitCode, finishedFirst, stopSec, output, stderr, problem);
    }

    /// <summary>
    /// none (no folder or an empty one), complete (a manifest whose every file is there, and nothing else but the
    /// manifest), or partial (anything else: files without a manifest, a listed file missing, staging left).
    /// </summary>
    public static string OutputState(string outDir)
    {
        if (!Directory.Exists(outDir) || !Directory.EnumerateFileSystemEntries(outDir).Any())
        {
            return "none";
        }
        string manifest = Path.Combine(outDir, OutputFolder.ManifestName);
        if (!File.Exists(manifest) || InputFuzzer.Leftovers(outDir).Count > 0)
        {
            return "partial";
        }
        var listed = File.ReadAllLines(manifest).Where(l => l.Length > 0).ToHashSet(StringComparer.Ordinal);
        var present = Directory.EnumerateFiles(outDir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(outDir, f).Replace('\\', '/'))
            .Where(f => f != OutputFolder.ManifestName)
            .ToHashSet(StringComparer.Ordinal);
        return listed.Count > 0 && listed.SetEquals(present) ? "complete" : "partial";
    }

    /// <summary>
    /// How to start this same xqsim: `dotnet xqsim.dll` beside the running assembly (the CLI under `dotnet run`, an
    /// installed tool and the test host all have it), with the dotnet that runs this process when it is dotnet.
    /// </summary>
    private static (string Host, string[] Prefix) Xqsim()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "xqsim.dll");
        string? self = Environment.ProcessPath;
        string host = self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h
            : "dotnet";
        return (host, [dll]);
    }

    [GeneratedRegex(@"^\s+at \S+\(", RegexOptions.Multiline)]
    private static partial Regex StackTrace();
}
