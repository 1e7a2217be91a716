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
        var command = new Command("fuzz", "Robustness check: mutated profiles, model configs, scenarios, scheme strings and argument lists; each must be accepted or rejected cleanly (exit 2, file and field named).")
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
            string work = Path.Combine(Path.GetTempPath(), $"xqsim-fuzz-{Environment.ProcessId}");
            int failures = 0;
            try
            {
                foreach (string kind in chosen)
                {
                    var outcomes = InputFuzzer.Generate(kind, n, p.GetValue(seed), Path.Combine(work, kind))
                        .Select(c => InputFuzzer.Check(c, TimeSpan.FromSeconds(20)))
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
}
