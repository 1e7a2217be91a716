namespace XQuant.Sim.Domain.Parallelism;

/// <summary>Names and inference of <see cref="TopologyKind"/>.</summary>
public static class Topologies
{
    public static string Name(TopologyKind t) => t switch
    {
        TopologyKind.Switch => "switch",
        TopologyKind.Ring => "ring",
        TopologyKind.Torus => "torus",
        TopologyKind.Mesh => "mesh",
        TopologyKind.Pcie => "pcie",
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    public static TopologyKind Parse(string name) =>
        Enum.GetValues<TopologyKind>().First(t => Name(t) == name);

    /// <summary>
    /// The topology a profile's link kind implies when the profile does not state one: NVLink runs through NVSwitch
    /// in 4/8-GPU boards, ICI is a torus, Infinity Fabric and on-die RoCE link every pair, anything else is PCIe.
    /// </summary>
    public static TopologyKind Infer(string linkKind)
    {
        ArgumentNullException.ThrowIfNull(linkKind);
        if (linkKind.Contains("ICI", StringComparison.OrdinalIgnoreCase))
        {
            return TopologyKind.Torus;
        }
        if (linkKind.Contains("Infinity Fabric", StringComparison.OrdinalIgnoreCase) || linkKind.Contains("RoCE", StringComparison.OrdinalIgnoreCase))
        {
            return TopologyKind.Mesh;
        }
        if (linkKind.Contains("NVLink", StringComparison.OrdinalIgnoreCase) && !linkKind.Contains("bridge", StringComparison.OrdinalIgnoreCase))
        {
            return TopologyKind.Switch;
        }
        return linkKind.Contains("NVLink", StringComparison.OrdinalIgnoreCase) ? TopologyKind.Ring : TopologyKind.Pcie;
    }
}
