namespace XQuant.Sim.Domain.Parallelism;

/// <summary>
/// Alpha-beta cost of the collectives tensor and pipeline parallelism use (Thakur, Rabenseifner and Gropp 2005;
/// NCCL's ring algorithms), for <c>ranks</c> devices on one <see cref="Link"/>. Pure functions; one rank costs 0.
/// </summary>
public static class Collectives
{
    /// <summary>Ring all-reduce of a <paramref name="bytes"/> buffer: 2 (p-1) alpha + 2 (p-1)/p x bytes / B.</summary>
    public static double AllReduceSec(Link link, int ranks, double bytes)
    {
        ArgumentNullException.ThrowIfNull(link);
        if (ranks <= 1)
        {
            return 0;
        }
        double p = ranks;
        return 2 * (p - 1) * link.LatencySec + 2 * (p - 1) / p * bytes / link.PerDirectionBytesPerSec;
    }

    /// <summary>Ring all-gather whose result is <paramref name="bytes"/> (each rank contributes bytes / p): (p-1) alpha + (p-1)/p x bytes / B.</summary>
    public static double AllGatherSec(Link link, int ranks, double bytes)
    {
        ArgumentNullException.ThrowIfNull(link);
        if (ranks <= 1)
        {
            return 0;
        }
        double p = ranks;
        return (p - 1) * link.LatencySec + (p - 1) / p * bytes / link.PerDirectionBytesPerSec;
    }

    /// <summary>Ring reduce-scatter of a <paramref name="bytes"/> buffer: the same cost as the all-gather of its result.</summary>
    public static double ReduceScatterSec(Link link, int ranks, double bytes) => AllGatherSec(link, ranks, bytes);

    /// <summary>
    /// All-to-all in which each rank sends <paramref name="bytesPerRank"/> spread evenly over every rank (its own share
    /// stays local): p - 1 pairwise exchanges, (p-1) alpha + (p-1)/p x bytes / B (direct exchanges over a switch; the
    /// expert-parallel dispatch and combine): the all-gather's cost formula with the rank's bytes.
    /// </summary>
    public static double AllToAllSec(Link link, int ranks, double bytesPerRank) => AllGatherSec(link, ranks, bytesPerRank);

    /// <summary>One message from one device to the next: alpha + bytes / B.</summary>
    public static double PointToPointSec(Link link, double bytes)
    {
        ArgumentNullException.ThrowIfNull(link);
        return link.LatencySec + bytes / link.PerDirectionBytesPerSec;
    }
}
