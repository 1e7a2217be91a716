using System.CommandLine;
using XQuant.Sim.Cli.Fuzzing;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Foundation.Text;

namespace XQuant.Sim.Cli;

/// <summary>xqsim fuzz: feed generated bad inputs of every kind to the CLI and report any that break the rules.</summary>
public static class FuzzCommand
{
    public static Command Create(CliContext ctx)
    {
        var count = new Option<int>("--count") { Description = "inputs per kind", DefaultValueFactory = _ => 500 };
        var seed = new Option<int>("--seed") { Description = "random seed (the test uses 20261128)", DefaultValueFactory = _ => 20261128 };
        var kinds = new Option<string>("--kinds") { Description = $"comma-separated: {string.Join(", ", InputFuzzer.Kinds)}", DefaultValueFactory = _ => string.Join(",", InputFuzzer.Kinds) };
        var command = new Command("fuzz", "Robustness check: mutated profiles, model configs, scenarios, scheme strings, argument lists, awkward files and tokenizer.json files, each accepted or rejected cleanly (exit 2, file and field named); and xqsim child processes interrupted by SIGINT/SIGTERM/SIGHUP (count/25 of them).")
        {
            count, seed, kinds,
        };
        command.SetAction(p =>
        {
            int n = p.GetValue(count);
            if (n < 1 || n > 10_000_000)
            {
                throw new InputException("--count", "", "must be from 1 to 10000000");
            }
            var chosen = CliOptions.NameList(p.GetValue(kinds)!);
            var unknown = chosen.Where(k => !InputFuzzer.Kinds.Contains(k)).ToList();
            if (unknown.Count > 0)
            {
                throw new InputException("--kinds", "", $"unknown kind(s) {string.Join(", ", unknown)} (allowed: {string.Join(", ", InputFuzzer.Kinds)})");
            }
            // Unique per run, not per process: two fuzz runs in one process (tests) must not delete each other's inputs.
            string work = Path.Combine(Path.GetTempPath(), $"xqsim-fuzz-{Environment.ProcessId}-{Guid.NewGuid():N}");
            int failures = 0;
            try
            {
                foreach (string kind in chosen)
                {
                    if (kind == "signals")
                    {
                        failures += Signals(ctx, n, p.GetValue(seed), Path.Combine(work, kind));
                        continue;
                    }
                    var outcomes = InputFuzzer.Generate(kind, n, p.GetValue(seed), Path.Combine(work, kind))
                        .Select(c => InputFuzzer.Check(c, InputFuzzer.Limit(kind)))
                        .ToList();
                    var bad = outcomes.Where(o => o.Problem is not null).ToList();
                    var leftovers = InputFuzzer.Leftovers(Path.Combine(work, kind));
                    failures += bad.Count + leftovers.Count;
                    ctx.Out.WriteLine($"{kind}: {outcomes.Count} inputs, {outcomes.Count(o => o.ExitCode == 0)} accepted, {outcomes.Count(o => o.ExitCode == 2)} rejected with exit 2, {bad.Count} broke a rule ({outcomes.Count(o => o.ExitCode == -1)} hangs), {leftovers.Count} temporary files left");
                    foreach (var o in bad.Take(20))
                    {
                        ctx.Out.WriteLine($"  {o.Problem}: {o.Case.Mutation} [{string.Join(' ', o.Case.Args)}] -> {o.Stderr.Split('\n')[0]}");
                    }
                }
            }
            finally
            {
                if (Directory.Exists(work))
                {
                    Directory.Delete(work, recursive: true);
                }
            }
            ctx.Out.WriteLine(failures == 0 ? "no rule broken" : $"{Formats.Int(failures)} inputs broke a rule");
            return failures == 0 ? CliApp.ExitOk : CliApp.ExitInternal;
        });
        return command;
    }

    /// <summary>The signals kind: child processes interrupted at seeded delays; returns the rule-breakers and leftovers.</summary>
    private static int Signals(CliContext ctx, int count, int seed, string work)
    {
        int processes = SignalFuzzer.Processes(count);
        if (!OperatingSystem.IsLinux())
        {
            ctx.Out.WriteLine($"signals: skipped ({processes} processes planned): signals are sent with kill(2) on Linux only");
            return 0;
        }
        var outcomes = new List<SignalOutcome>();
        foreach (var c in SignalFuzzer.Plan(processes, seed, work))
        {
            // A fuzz run interrupted itself stops between children: the child in flight is not left running.
            ctx.Cancel.ThrowIfCancellationRequested();
            outcomes.Add(SignalFuzzer.Run(c));
        }
        var bad = outcomes.Where(o => o.Problem is not null).ToList();
        var leftovers = InputFuzzer.Leftovers(work);
        string perSignal = string.Join("; ", SignalFuzzer.Signals.Select(s =>
        {
            var mine = outcomes.Where(o => o.Case.Signal == s.Name).ToList();
            return $"SIG{s.Name} {mine.Count}: {mine.Count(o => o.ExitCode == 128 + s.Number)} exit {128 + s.Number}, {mine.Count(o => o.ExitCode == 0)} exit 0 complete";
        }));
        double slowest = outcomes.Where(o => !o.FinishedFirst).Select(o => o.StopSec).DefaultIfEmpty(0).Max();
        ctx.Out.WriteLine($"signals: {outcomes.Count} processes (count/25, at least 3), {outcomes.Count(o => o.FinishedFirst)} finished before their signal; {perSignal}; slowest stop {Formats.Fixed(slowest, 1)} s; {bad.Count} broke a rule ({outcomes.Count(o => o.ExitCode == -1)} hangs), {leftovers.Count} temporary files left");
        foreach (var o in bad.Take(20))
        {
            ctx.Out.WriteLine($"  {o.Problem}: SIG{o.Case.Signal} at {o.Case.DelayMs} ms [{string.Join(' ', o.Case.Args)}] -> exit {o.ExitCode}, output {o.Output}, {o.Stderr.Split('\n')[0]}");
        }
        return bad.Count + leftovers.Count;
    }
}
