namespace XQuant.Sim.Domain.Parallelism;

/// <summary>How the devices of a node reach each other.</summary>
public enum TopologyKind
{
    /// <summary>Every device has its links into a switch (NVSwitch): any ring runs at the full per-device rate.</summary>
    Switch,

    /// <summary>Devices in a ring.</summary>
    Ring,

    /// <summary>A 2D or 3D torus (TPU ICI): a ring along one dimension.</summary>
    Torus,

    /// <summary>Direct links between every pair (AMD Infinity Fabric, Gaudi's on-die RoCE ports).</summary>
    Mesh,

    /// <summary>No scale-up link: traffic crosses PCIe through a host bridge or PCIe switch.</summary>
    Pcie,
}
