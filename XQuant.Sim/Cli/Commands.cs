using System.CommandLine;

namespace XQuant.Sim.Cli;

/// <summary>Every subcommand, in the order --help lists them.</summary>
public static class Commands
{
    public static IEnumerable<Command> All(CliContext context)
    {
        yield return RunCommand.Create(context);
        yield return MemoryCommand.Create(context);
        yield return LedgerCommand.Create(context);
        yield return ParetoCommand.Create(context);
        yield return BreakEvenCommand.Create(context);
        yield return RooflineCommand.Create(context);
        yield return CompareCommand.Create(context);
        yield return KernelsCommand.Create(context);
        yield return ListCommands.Profiles(context);
        yield return ListCommands.Models(context);
        yield return ListCommands.Schemes(context);
        yield return BenchCommand.Create(context);
        yield return FuzzCommand.Create(context);
        yield return CalibrateCommand.Create(context);
        yield return ValidateCommand.Create(context);
        yield return AccuracyCommand.Create(context);
        yield return PublishedCommand.Create(context);
        yield return SimulateCommand.Create(context);
        yield return ParallelCommand.Create(context);
        yield return WhatIfCommand.Create(context);
        yield return ExploreCommand.Create(context);
    }
}
