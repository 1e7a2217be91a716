using XQuant.Sim.Cli.Fuzzing;

namespace XQuant.Sim.Tests.Hardening;

/// <summary>The "files" fuzz kind: awkward files in every input and output slot; no rule broken, nothing left behind.</summary>
[TestClass]
public sealed class FileFuzzTests
{
    [TestMethod]
    [Timeout(240_000, CooperativeCancellation = true)]
    public void AwkwardFilesInEverySlot_ExitCleanly_AndLeaveNothing()
    {
        using var s = new HardeningRun.Scratch();
        var outcomes = InputFuzzer.Generate("files", 120, 20261204, s.Dir).Select(c => InputFuzzer.Check(c, TimeSpan.FromSeconds(20))).ToList();
        var bad = outcomes.Where(o => o.Problem is not null).Select(o => $"{o.Problem}: {o.Case.Mutation} -> {o.Stderr}").ToList();
        Assert.IsEmpty(bad, string.Join("\n", bad.Take(10)));
        Assert.IsEmpty(InputFuzzer.Leftovers(s.Dir));
        Assert.IsGreaterThan(90, outcomes.Count);
        // Both outcomes occur: valid links and byte-order marks are accepted, the rest refused.
        Assert.IsTrue(outcomes.Any(o => o.ExitCode == 0) && outcomes.Any(o => o.ExitCode == 2));
    }
}
