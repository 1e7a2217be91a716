using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Foundation.Concurrency;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Rendering.Tables;
using XQuant.Sim.Studies.Measurement;
using XQuant.Sim.Studies.Scenarios;

namespace XQuant.Sim.Cli;

/// <summary>xqsim bench: how many cases the cost model prices per second on one thread and on N (a benchmark, not a test).</summary>
public static class BenchCommand
{
    public static Command Create(CliContext ctx)
    {
        var file = new Option<string>("--scenario") { Description = "scenario whose cases are costed", DefaultValueFactory = _ => "scenarios/gpu-vs-npu.json" };
        var seconds = new Option<double>("--seconds") { Description = "how long to keep costing", DefaultValueFactory = _ => 3.0 };
        var part = new Option<string>("--part") { Description = "case (everything), step (ledger + roofline only)", DefaultValueFactory = _ => "case" };
        var threadsOption = ThreadsOption.Create("1");
        var rounds = new Option<int>("--rounds") { Description = "with --threads above 1: alternations of 1 thread and N threads, side by side; with --limits: interleaved rounds", DefaultValueFactory = _ => 3 };
        var limits = new Option<bool>("--limits") { Description = "the performance table: kernels and the cost model, each as a ratio to its physical limit measured in the same rounds (Markdown)" };
        var quick = new Option<bool>("--quick") { Description = "with --limits: small sizes (seconds; for smoke runs, not for real numbers)" };
        var command = new Command("bench", "Benchmark the cost model: full cases (ledger, roofline, capacity, throughput at max batch) per second, on 1 thread and, side by side, on N; --limits: the performance table.") { file, seconds, part, threadsOption, rounds, limits, quick };
        command.SetAction(p =>
        {
            var scenario = ScenarioLoader.Load(ScenarioLoader.Resolve(p.GetValue(file)!));
            string what = p.GetValue(part)!;
            Func<Workload, object> cost = what switch
            {
                "case" => w => CaseCoster.Cost(w),
                "step" => w => Roofline.Step(w),
                _ => throw new InputException("--part", "", $"'{JsonFields.Truncate(what)}' is not allowed (allowed: case, step)"),
            };
            int threads = ThreadsOption.Parse(p.GetValue(threadsOption));
            int roundCount = p.GetValue(rounds);
            if (roundCount is < 1 or > 100)
            {
                throw new InputException("--rounds", "", $"'{roundCount.ToString(CultureInfo.InvariantCulture)}' must be a whole number from 1 to 100");
            }
            if (p.GetValue(quick) && !p.GetValue(limits))
            {
                throw new InputException("--quick", "", "only with --limits (the cost-model benchmark has --seconds)");
            }
            var cases = scenario.Expand().ToList();
            if (p.GetValue(limits))
            {
                var result = LimitBench.Run(new LimitBenchRequest(p.GetValue(quick), roundCount, cases, threads), ctx.Error);
                foreach (string line in LimitTable.Markdown(result))
                {
                    ctx.Out.WriteLine(line);
                }
                return CliApp.ExitOk;
            }
            double limit = Math.Clamp(p.GetValue(seconds), 0.1, 600);
            foreach (var w in cases.Take(64))
            {
                cost(w); // warm-up: JIT and tiered compilation
            }
            if (threads == 1)
            {
                var (n, elapsed) = Measure(cases, cost, 1, limit);
                ctx.Out.WriteLine($"{scenario.Name} ({what}): {n} cases in {Formats.Fixed(elapsed, 2)} s on one thread = {Formats.Int(n / elapsed)} cases/s ({Formats.Sig(elapsed / n * 1e6)} us per case; {cases.Count} distinct cases, {Environment.ProcessorCount} cores on this machine)");
                return CliApp.ExitOk;
            }
            Measure(cases, cost, threads, Math.Min(limit, 0.5)); // warm-up of the parallel path
            ctx.Out.WriteLine($"{scenario.Name} ({what}): {cases.Count} distinct cases, {Environment.ProcessorCount} cores on this machine, load average {HostCalibrator.LoadAverage()}; {roundCount} rounds of 1 thread then {threads} threads, {Formats.Fixed(limit, 1)} s each, same cases, costed through the same ordered pipeline as xqsim run");
            var ratios = new List<double>();
            var ceilings = new List<double>();
            var cpuRatios = new List<double>();
            for (int round = 1; round <= roundCount; round++)
            {
                int gc0 = GC.CollectionCount(0);
                long bytes0 = GC.GetTotalAllocatedBytes();
                double cpu0 = CpuSec();
                var (n1, t1) = Measure(cases, cost, 1, limit);
                double cpu1 = CpuSec();
                int gc1 = GC.CollectionCount(0);
                long bytes1 = GC.GetTotalAllocatedBytes();
                var (nN, tN) = Measure(cases, cost, threads, limit);
                double cpu2 = CpuSec();
                int gc2 = GC.CollectionCount(0);
                var (nC, tC) = Ceiling(cases, cost, threads, limit);
                double one = n1 / t1;
                double many = nN / tN;
                double ceiling = nC / tC;
                // CPU seconds per case does not depend on how much of the machine others leave us: N threads that
                // cost no extra CPU per case would run N times faster on N free cores.
                double cpuRatio = (cpu2 - cpu1) / nN / ((cpu1 - cpu0) / n1);
                ratios.Add(many / one);
                ceilings.Add(ceiling / one);
                cpuRatios.Add(cpuRatio);
                ctx.Out.WriteLine($"  round {round}: 1 thread {Formats.Int(one)} cases/s ({Formats.Fixed((cpu1 - cpu0) / t1, 2)} CPUs busy), {threads} threads {Formats.Int(many)} cases/s ({Formats.Fixed((cpu2 - cpu1) / tN, 2)} CPUs busy) = {Formats.Fixed(many / one, 2)}x; CPU per case {threads} threads / 1 thread {Formats.Fixed(cpuRatio, 2)}; {threads} free threads (no ordering) {Formats.Int(ceiling)} cases/s = {Formats.Fixed(ceiling / one, 2)}x; gen0 GCs/s {Formats.Int((gc1 - gc0) / t1)} vs {Formats.Int((gc2 - gc1) / tN)}; {Formats.Int((double)(bytes1 - bytes0) / n1)} bytes allocated per case");
            }
            ratios.Sort();
            ceilings.Sort();
            cpuRatios.Sort();
            ctx.Out.WriteLine($"ratio {threads} threads / 1 thread: median {Formats.Fixed(ratios[ratios.Count / 2], 2)}x, spread {Formats.Fixed(ratios[0], 2)}-{Formats.Fixed(ratios[^1], 2)}x over {roundCount} rounds; what {threads} free threads got from this machine in the same rounds: median {Formats.Fixed(ceilings[ceilings.Count / 2], 2)}x, spread {Formats.Fixed(ceilings[0], 2)}-{Formats.Fixed(ceilings[^1], 2)}x (load average now {HostCalibrator.LoadAverage()})");
            double cpuMedian = cpuRatios[cpuRatios.Count / 2];
            ctx.Out.WriteLine($"CPU seconds per case, {threads} threads / 1 thread: median {Formats.Fixed(cpuMedian, 2)}, spread {Formats.Fixed(cpuRatios[0], 2)}-{Formats.Fixed(cpuRatios[^1], 2)}; on {threads} idle cores that bounds the speed-up at {Formats.Fixed(Math.Min(threads, Environment.ProcessorCount) / cpuMedian, 2)}x (a projection, not a measurement)");
            return CliApp.ExitOk;
        });
        return command;
    }

    /// <summary>Costs cases cyclically on <paramref name="threads"/> threads for about <paramref name="limitSec"/> seconds; returns cases and seconds.</summary>
    private static (long Cases, double Seconds) Measure(List<Workload> cases, Func<Workload, object> cost, int threads, double limitSec)
    {
        var clock = Stopwatch.StartNew();
        long n = 0;
        // Like `run`, whose workers hand over only a case's CSV lines, nothing of a costed case waits in flight here.
        foreach (bool _ in OrderedParallel.Select(Cycle(cases, clock, limitSec), w => cost(w) is not null, threads))
        {
            n++;
        }
        return (n, clock.Elapsed.TotalSeconds);
    }

    private static double CpuSec()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>
    /// The ceiling the machine gives N threads in this moment: each thread costs its own share of the cases in a loop,
    /// no ordering and no shared pipeline, so the ordered run can be read against it.
    /// </summary>
    private static (long Cases, double Seconds) Ceiling(List<Workload> cases, Func<Workload, object> cost, int threads, double limitSec)
    {
        var clock = Stopwatch.StartNew();
        long total = 0;
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            long n = 0;
            while (clock.Elapsed.TotalSeconds < limitSec)
            {
                for (int i = t; i < cases.Count; i += threads)
                {
                    cost(cases[i]);
                    n++;
                }
            }
            Interlocked.Add(ref total, n);
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        return (total, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The cases over and over, as a streamed sweep would hand them out, until the time is up.</summary>
    private static IEnumerable<Workload> Cycle(List<Workload> cases, Stopwatch clock, double limitSec)
    {
        while (clock.Elapsed.TotalSeconds < limitSec)
        {
            foreach (var w in cases)
            {
                yield return w;
            }
        }
    }
}
