using System.CommandLine;
using System.Diagnostics;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Studies.Scenarios;

namespace XQuant.Sim.Cli;

/// <summary>xqsim bench: how many cases the cost model prices per second on one thread (a benchmark, not a test).</summary>
public static class BenchCommand
{
    public static Command Create(CliContext ctx)
    {
        var file = new Option<string>("--scenario") { Description = "scenario whose cases are costed", DefaultValueFactory = _ => "scenarios/gpu-vs-npu.json" };
        var seconds = new Option<double>("--seconds") { Description = "how long to keep costing", DefaultValueFactory = _ => 3.0 };
        var part = new Option<string>("--part") { Description = "case (everything), step (ledger + roofline only)", DefaultValueFactory = _ => "case" };
        var command = new Command("bench", "Benchmark the cost model: full cases (ledger, roofline, capacity, throughput at max batch) per second, one thread.") { file, seconds, part };
        command.SetAction(p =>
        {
            var scenario = ScenarioLoader.Load(ScenarioLoader.Resolve(p.GetValue(file)!));
            string what = p.GetValue(part)!;
            Action<Workload> cost = what switch
            {
                "case" => w => CaseCoster.Cost(w),
                "step" => w => Roofline.Step(w),
                _ => throw new InputException("--part", "", $"'{JsonFields.Truncate(what)}' is not allowed (allowed: case, step)"),
            };
            var cases = scenario.Expand().ToList();
            double limit = Math.Clamp(p.GetValue(seconds), 0.1, 600);
            foreach (var w in cases.Take(64))
            {
                cost(w); // warm-up: JIT and tiered compilation
            }
            long n = 0;
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed.TotalSeconds < limit)
            {
                foreach (var w in cases)
                {
                    cost(w);
                    n++;
                }
            }
            double elapsed = sw.Elapsed.TotalSeconds;
            ctx.Out.WriteLine($"{scenario.Name} ({what}): {n} cases in {Formats.Fixed(elapsed, 2)} s on one thread = {Formats.Int(n / elapsed)} cases/s ({Formats.Sig(elapsed / n * 1e6)} us per case; {cases.Count} distinct cases, {Environment.ProcessorCount} cores on this machine)");
            return CliApp.ExitOk;
        });
        return command;
    }
}
