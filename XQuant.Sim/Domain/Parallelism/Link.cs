using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Domain.Parallelism;

/// <summary>
/// The link between the devices of one node as the alpha-beta model sees it: a per-message latency (alpha) and a
/// per-direction bandwidth (1 / beta). Datasheets quote aggregate bidirectional bandwidth per device; a ring
/// collective sends and receives at once, so each direction gets half of it.
/// </summary>
public sealed record Link(string Kind, TopologyKind Topology, double PerDirectionBytesPerSec, double LatencySec, bool LatencyIsDefault, string? Source)
{
    /// <summary>
    /// Per-message latency used where no source gives one: 1 microsecond per ring step. An assumption of the order
    /// of NCCL's low-latency protocol inside a node (a small 8-GPU all-reduce takes 14 ring steps and is commonly
    /// quoted at 10-20 us), not a measurement or a published figure; every report that uses it says so.
    /// </summary>
    public const double DefaultLatencySec = 1e-6;

    /// <summary>The link of a profile, or null where it has no interconnect block or no bandwidth in it.</summary>
    public static Link? From(Interconnect? link)
    {
        if (link?.BandwidthBytesPerSec is not double bw || bw <= 0)
        {
            return null;
        }
        var topology = link.Topology is string t ? Topologies.Parse(t) : Topologies.Infer(link.Kind);
        return new Link(link.Kind, topology, bw / 2, link.LatencySec ?? DefaultLatencySec, link.LatencySec is null, link.Source);
    }

    public string Describe() =>
        FormattableString.Invariant($"{Kind} ({Topologies.Name(Topology)}), {PerDirectionBytesPerSec / 1e9:0.#} GB/s per direction, latency {LatencySec * 1e6:0.##} us{(LatencyIsDefault ? " (default: not published)" : "")}");
}
