namespace XQuant.Sim.Studies.Serving;

/// <summary>One iteration's time and its parts (seconds), with the FLOPs and DRAM bytes it moved, and its time on the device link.</summary>
public readonly record struct IterationTime(double TimeSec, double ComputeSec, double MemorySec, double LaunchSec, double Flops, double DramBytes, double LinkSec = 0);
