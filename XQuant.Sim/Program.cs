using XQuant.Sim.Cli;

return CliApp.Run(args, Console.Out, Console.Error);
