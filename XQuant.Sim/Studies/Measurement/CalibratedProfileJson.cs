using System.Text.Json;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Foundation.Output;

namespace XQuant.Sim.Studies.Measurement;

/// <summary>Writes a calibrated profile in the hardware-profile format (schemas/hardware-profile.schema.json), read back by <see cref="HardwareProfileLoader"/>.</summary>
public static class CalibratedProfileJson
{
    public static string ToJson(HardwareProfile p)
    {
        ArgumentNullException.ThrowIfNull(p);
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("name", p.Name);
            w.WriteString("vendor", p.Vendor);
            w.WriteString("kind", p.Kind.ToString().ToUpperInvariant() switch { "CPU" => "cpu", "GPU" => "gpu", "NPU" => "npu", _ => "tpu" });
            w.WriteNumber("release_year", p.ReleaseYear);
            w.WriteStartObject("peak_flops_per_sec");
            foreach (var (t, v) in p.PeakFlopsPerSec)
            {
                w.WriteNumber(t.Name(), v);
            }
            w.WriteEndObject();
            w.WriteString("peak_flops_source", p.PeakFlopsSource);
            if (p.PeakFlopsNote is not null)
            {
                w.WriteString("peak_flops_note", p.PeakFlopsNote);
            }
            Memory(w, "dram", p.Dram);
            if (p.OnChip is not null)
            {
                Memory(w, "on_chip", p.OnChip);
            }
            if (p.KernelLaunchLatencySec is double l)
            {
                w.WriteNumber("kernel_launch_latency_sec", l);
            }
            if (p.AchievedFlopsPerSecByKind is { Count: > 0 } rates)
            {
                w.WriteStartObject("achieved_flops_per_sec_by_kind");
                foreach (var (k, v) in rates.OrderBy(r => r.Key, StringComparer.Ordinal))
                {
                    w.WriteNumber(k, v);
                }
                w.WriteEndObject();
            }
            if (p.Notes is not null)
            {
                w.WriteString("notes", p.Notes);
            }
            if (p.Calibration is { } c)
            {
                w.WriteStartObject("calibration");
                w.WriteString("date", c.Date);
                w.WriteString("method", c.Method);
                w.WriteString("device", c.Device);
                w.WriteString("runtime", c.Runtime);
                w.WriteString("host", c.Host);
                w.WriteString("load_average", c.LoadAverage);
                w.WriteStartArray("measurements");
                foreach (var m in c.Measurements)
                {
                    w.WriteStartObject();
                    w.WriteString("name", m.Name);
                    w.WriteNumber("value", m.Value);
                    w.WriteString("unit", m.Unit);
                    w.WriteNumber("spread", double.IsFinite(m.Spread) ? m.Spread : 0);
                    w.WriteNumber("repetitions", m.Repetitions);
                    w.WriteString("size", m.Size);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }

    private static void Memory(Utf8JsonWriter w, string key, MemoryLevel m)
    {
        w.WriteStartObject(key);
        w.WriteString("kind", m.Kind);
        w.WriteNumber("capacity_bytes", m.CapacityBytes);
        if (m.BandwidthBytesPerSec is double bw)
        {
            w.WriteNumber("bandwidth_bytes_per_sec", bw);
        }
        if (m.Source is not null)
        {
            w.WriteString("source", m.Source);
        }
        if (m.Note is not null)
        {
            w.WriteString("note", m.Note);
        }
        w.WriteEndObject();
    }

    /// <summary>The profile as an output file named <paramref name="path"/>.</summary>
    public static OutputFile File(string path, HardwareProfile p) => OutputFile.Text(path, ToJson(p));
}
