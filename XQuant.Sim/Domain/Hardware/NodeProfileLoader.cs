using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Domain.Hardware;

/// <summary>
/// Reads hardware-profiles/nodes/*.json: a node of identical devices (e.g. dgx-h100 = 8 x h100-sxm over NVSwitch).
/// The result is the device's profile with the node's id, name, link and device count, so every command that takes
/// <c>-H</c> costs one device of the node and its collectives over the node's link.
/// </summary>
public static class NodeProfileLoader
{
    public const string Folder = "nodes";

    public static bool IsNode(string path) =>
        string.Equals(Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))), Folder, StringComparison.Ordinal);

    /// <summary>Every node in hardware-profiles/nodes/ (or <paramref name="directory"/>/nodes), in id order; every problem at once.</summary>
    public static IReadOnlyList<HardwareProfile> LoadAll(string? directory = null)
    {
        string dir = Path.Combine(directory ?? HardwareProfileLoader.DefaultDirectory, Folder);
        var nodes = new List<HardwareProfile>();
        if (!Directory.Exists(dir))
        {
            return nodes;
        }
        var errors = new List<InputError>();
        foreach (string id in DataPaths.Ids(dir))
        {
            try
            {
                nodes.Add(Load(Path.Combine(dir, id + ".json")));
            }
            catch (InputException e)
            {
                errors.AddRange(e.Errors);
            }
        }
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }
        return nodes;
    }

    public static HardwareProfile Load(string path)
    {
        var errors = new List<InputError>();
        using var doc = JsonFields.ParseFile(path, errors);
        if (doc is null)
        {
            throw new InputException(errors);
        }
        var f = new JsonFields(path, doc.RootElement, errors);
        f.Allow("$schema");
        string name = f.RequiredString("name");
        string device = f.RequiredString("device");
        long devices = f.RequiredInteger("devices", 1, 1 << 20);
        string source = f.RequiredString("source");
        string? notes = f.OptionalString("notes");
        Interconnect? link = null;
        var linkFields = f.Object("interconnect", required: true);
        if (linkFields is not null)
        {
            string kind = linkFields.RequiredString("kind");
            double bw = SaneRange.LinkBandwidth.Read(linkFields, "bandwidth_bytes_per_sec", required: true) ?? double.NaN;
            link = HardwareProfileLoader.ReadInterconnect(linkFields, kind, bw);
        }
        f.RejectUnknownKeys();
        HardwareProfile? member = null;
        if (device.Length > 0)
        {
            string devicePath = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(path)))!, device + ".json");
            if (!File.Exists(devicePath))
            {
                f.Error("device", $"'{JsonFields.Truncate(device)}' is not a profile in {Path.GetDirectoryName(devicePath)}");
            }
            else
            {
                member = HardwareProfileLoader.TryLoad(devicePath, errors);
            }
        }
        if (errors.Count > 0 || member is null)
        {
            throw new InputException(errors);
        }
        return member with
        {
            Id = Path.GetFileNameWithoutExtension(path),
            Name = $"{name} ({devices} x {member.Name})",
            Interconnect = link,
            NodeDevices = (int)devices,
            NodeDevice = member.Id,
            Notes = $"node of {devices} x {member.Id}; {notes} Link source: {source}",
            SourcePath = path,
        };
    }
}
