using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Domain.Hardware;

/// <summary>Reads hardware-profiles/*.json (format: schemas/hardware-profile.schema.json), collecting every problem.</summary>
public static class HardwareProfileLoader
{
    private static readonly string[] Kinds = ["gpu", "npu", "tpu", "cpu"];

    public static string DefaultDirectory => DataPaths.Find("hardware-profiles");

    /// <summary>Resolves a profile id (file name without .json) or a path.</summary>
    public static HardwareProfile Resolve(string idOrPath, string source = "--hardware")
    {
        string path = ResolvePath(idOrPath, source);
        return NodeProfileLoader.IsNode(path) ? NodeProfileLoader.Load(path) : Load(path);
    }

    public static string ResolvePath(string idOrPath, string source)
    {
        if (DataPaths.LooksLikePath(idOrPath))
        {
            return idOrPath;
        }
        string dir = DefaultDirectory;
        string path = Path.Combine(dir, idOrPath + ".json");
        string node = Path.Combine(dir, NodeProfileLoader.Folder, idOrPath + ".json");
        if (!File.Exists(path) && File.Exists(node))
        {
            return node;
        }
        if (!File.Exists(path))
        {
            throw new InputException(source, "", $"hardware '{JsonFields.Truncate(idOrPath)}' not found in {dir} (available: {string.Join(", ", DataPaths.Ids(dir).Concat(DataPaths.Ids(Path.Combine(dir, NodeProfileLoader.Folder))))})");
        }
        return path;
    }

    public static IReadOnlyList<HardwareProfile> LoadAll(string? directory = null)
    {
        string dir = directory ?? DefaultDirectory;
        var errors = new List<InputError>();
        var profiles = new List<HardwareProfile>();
        foreach (string id in DataPaths.Ids(dir))
        {
            var p = TryLoad(Path.Combine(dir, id + ".json"), errors);
            if (p is not null)
            {
                profiles.Add(p);
            }
        }
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }
        return profiles;
    }

    public static HardwareProfile Load(string path)
    {
        var errors = new List<InputError>();
        var profile = TryLoad(path, errors);
        if (profile is null || errors.Count > 0)
        {
            throw new InputException(errors);
        }
        return profile;
    }

    public static HardwareProfile? TryLoad(string path, List<InputError> errors)
    {
        int before = errors.Count;
        using var doc = JsonFields.ParseFile(path, errors);
        if (doc is null)
        {
            return null;
        }
        var f = new JsonFields(path, doc.RootElement, errors);
        f.Allow("$schema");
        string name = f.RequiredString("name");
        string vendor = f.RequiredString("vendor");
        string kind = f.RequiredEnum("kind", Kinds);
        long year = f.RequiredInteger("release_year", 1990, 2100);
        var peaks = new Dictionary<DType, double>();
        var peakFields = f.Object("peak_flops_per_sec", required: true);
        if (peakFields is not null)
        {
            foreach (var (key, _) in peakFields.Properties().ToList())
            {
                if (!DTypes.TryParse(key, out var dtype))
                {
                    peakFields.Error(key, $"unknown dtype (allowed: {string.Join(", ", DTypes.Names)})");
                    continue;
                }
                if (SaneRange.PeakFlops.Read(peakFields, key, required: false) is double v)
                {
                    peaks[dtype] = v;
                }
            }
            if (peaks.Count == 0 && errors.Count == before)
            {
                f.Error("peak_flops_per_sec", "has no dtype; at least one dense peak is required");
            }
        }
        string peakSource = f.RequiredString("peak_flops_source");
        string? peakNote = f.OptionalString("peak_flops_note");
        var dram = ReadMemory(f, "dram", required: true, bandwidthRequired: true);
        var onChip = ReadMemory(f, "on_chip", required: false, bandwidthRequired: false);
        Interconnect? link = null;
        var linkFields = f.Object("interconnect", required: false);
        if (linkFields is not null)
        {
            string linkKind = linkFields.RequiredString("kind");
            double? bw = SaneRange.LinkBandwidth.Read(linkFields, "bandwidth_bytes_per_sec", required: false);
            link = ReadInterconnect(linkFields, linkKind, bw);
        }
        double? tdp = SaneRange.TdpWatts.Read(f, "tdp_watts", required: false);
        string? tdpSource = f.OptionalString("tdp_source");
        string? notes = f.OptionalString("notes");
        double? launch = f.OptionalNumber("kernel_launch_latency_sec", -1e-30, 1);
        var achieved = ReadAchieved(f);
        var calibration = ReadCalibration(f);
        f.RejectUnknownKeys();
        if (errors.Count > before || dram is null)
        {
            return null;
        }
        return new HardwareProfile
        {
            Id = Path.GetFileNameWithoutExtension(path),
            Name = name,
            Vendor = vendor,
            Kind = Enum.Parse<DeviceKind>(kind, ignoreCase: true),
            ReleaseYear = (int)year,
            PeakFlopsPerSec = peaks,
            PeakFlopsSource = peakSource,
            PeakFlopsNote = peakNote,
            Dram = dram,
            OnChip = onChip,
            Interconnect = link,
            TdpWatts = tdp,
            TdpSource = tdpSource,
            Notes = notes,
            KernelLaunchLatencySec = launch,
            AchievedFlopsPerSecByKind = achieved,
            Calibration = calibration,
            Provenance = calibration is null ? Provenance.Datasheet : Provenance.Calibrated,
            SourcePath = path,
        };
    }

    /// <summary>The topology kinds a profile or node may state for its link.</summary>
    public static readonly IReadOnlyList<string> TopologyKinds = ["switch", "ring", "torus", "mesh", "pcie"];

    /// <summary>The rest of an interconnect block (shared with node profiles): latency, its source, topology.</summary>
    public static Interconnect ReadInterconnect(JsonFields linkFields, string linkKind, double? bandwidth)
    {
        ArgumentNullException.ThrowIfNull(linkFields);
        string? source = linkFields.OptionalString("source");
        string? note = linkFields.OptionalString("note");
        double? latency = linkFields.OptionalNumber("latency_sec", 0, 1);
        string? latencySource = linkFields.OptionalString("latency_source");
        string? topology = null;
        if (linkFields.OptionalString("topology") is not null)
        {
            topology = linkFields.RequiredEnum("topology", TopologyKinds);
        }
        linkFields.RejectUnknownKeys();
        return new Interconnect(linkKind, bandwidth, source, note, latency, latencySource, topology);
    }

    // --- Calibrated profiles (xqsim calibrate): optional blocks, absent from datasheet profiles. ---

    private static Dictionary<string, double>? ReadAchieved(JsonFields f)
    {
        var m = f.Object("achieved_flops_per_sec_by_kind", required: false);
        if (m is null)
        {
            return null;
        }
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (key, _) in m.Properties().ToList())
        {
            if (!KernelClasses.RateKeys.Contains(key))
            {
                m.Error(key, $"unknown kernel class (allowed: {string.Join(", ", KernelClasses.RateKeys)})");
                continue;
            }
            if (SaneRange.AchievedFlops.Read(m, key, required: false) is double v)
            {
                result[key] = v;
            }
        }
        return result;
    }

    private static CalibrationInfo? ReadCalibration(JsonFields f)
    {
        var c = f.Object("calibration", required: false);
        if (c is null)
        {
            return null;
        }
        string date = c.RequiredString("date");
        string method = c.RequiredString("method");
        string device = c.RequiredString("device");
        string runtime = c.RequiredString("runtime");
        string host = c.OptionalString("host") ?? "";
        string load = c.OptionalString("load_average") ?? "";
        var measurements = new List<CalibrationMeasurement>();
        var items = c.Array("measurements", required: true) ?? [];
        for (int i = 0; i < items.Count; i++)
        {
            var m = new JsonFields(f.Source, items[i], f.Errors, c.PathOf($"measurements[{i}]"));
            if (!m.IsObject)
            {
                m.Error("", "expected an object");
                continue;
            }
            var item = new CalibrationMeasurement(
                m.RequiredString("name"),
                m.RequiredNumber("value", 0, 1e30),
                m.RequiredString("unit"),
                m.OptionalNumber("spread", -1e-30, 1e6) ?? 0,
                (int)(m.OptionalInteger("repetitions", 1, 1_000_000) ?? 1),
                m.OptionalString("size") ?? "");
            m.RejectUnknownKeys();
            measurements.Add(item);
        }
        c.RejectUnknownKeys();
        return new CalibrationInfo(date, method, device, runtime, host, load, measurements);
    }

    private static MemoryLevel? ReadMemory(JsonFields f, string key, bool required, bool bandwidthRequired)
    {
        var m = f.Object(key, required);
        if (m is null)
        {
            return null;
        }
        string kind = m.RequiredString("kind");
        bool dram = key == "dram";
        double capacity = (dram ? SaneRange.DramCapacity : SaneRange.OnChipCapacity).Read(m, "capacity_bytes", required: true) ?? double.NaN;
        double? bandwidth = (dram ? SaneRange.DramBandwidth : SaneRange.OnChipBandwidth).Read(m, "bandwidth_bytes_per_sec", bandwidthRequired);
        string? source = m.OptionalString("source");
        string? note = m.OptionalString("note");
        m.RejectUnknownKeys();
        return double.IsFinite(capacity) && (bandwidth is null || double.IsFinite(bandwidth.Value))
            ? new MemoryLevel(kind, capacity, bandwidth, source, note)
            : null;
    }
}
