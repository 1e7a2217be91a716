using System.CommandLine;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Cli;

/// <summary>xqsim profiles | models | schemes: what is available, with the figures that matter for a choice.</summary>
public static class ListCommands
{
    private static readonly DType[] RidgeDTypes = [DType.Fp32, DType.Bf16, DType.Fp8, DType.Int8, DType.Int4];

    public static Command Profiles(CliContext ctx)
    {
        var command = new Command("profiles", "List hardware profiles: DRAM, on-chip SRAM, dense peaks and ridge points (FLOP/byte) per dtype.");
        command.SetAction(_ =>
        {
            var profiles = HardwareProfileLoader.LoadAll();
            var columns = new List<TableColumn<HardwareProfile>>
            {
                new("id", "profile id = file name", p => p.Id, AlignRight: false),
                new("kind", "", p => p.Kind.ToString().ToLowerInvariant(), AlignRight: false),
                new("dram_gb", "DRAM capacity, 1e9 bytes", p => Formats.Sig(p.Dram.CapacityBytes / 1e9)),
                new("dram_gb_per_s", "DRAM bandwidth, 1e9 bytes/s", p => Formats.Sig(p.DramBandwidthBytesPerSec / 1e9)),
                new("onchip_mb", "largest on-chip SRAM pool, 1e6 bytes", p => p.OnChip is null ? "-" : Formats.Sig(p.OnChip.CapacityBytes / 1e6)),
                new("bf16_tflops", "dense BF16 (or FP16) peak", p => p.Peak(DType.Bf16) is double v ? Formats.Sig(v / 1e12) : "-"),
            };
            foreach (var t in RidgeDTypes)
            {
                columns.Add(new($"ridge_{t.Name()}", $"{t.Name()} peak / DRAM bandwidth, FLOP/byte", p => p.RidgeFlopsPerByte(t) is double r ? Formats.Sig(r, 3) : "-"));
            }
            ctx.Out.Write(TextTable.Build(columns, profiles).ToConsole());
            ctx.Out.WriteLine($"{profiles.Count} profiles in {HardwareProfileLoader.DefaultDirectory}; all figures datasheet (dense), '-' = not supported or not published.");
            var nodes = NodeProfileLoader.LoadAll();
            if (nodes.Count > 0)
            {
                ctx.Out.WriteLine();
                ctx.Out.Write(TextTable.Build(NodeColumns(), nodes).ToConsole());
                ctx.Out.WriteLine($"{nodes.Count} nodes in {Path.Combine(HardwareProfileLoader.DefaultDirectory, NodeProfileLoader.Folder)}: -H NODE costs one device of the node over its link (--tp x --pp up to its devices); latency 'default' = the stated {Formats.Sig(Domain.Parallelism.Link.DefaultLatencySec * 1e6)} us per ring step, no published figure.");
            }
            return CliApp.ExitOk;
        });
        return command;
    }

    /// <summary>The node table of `xqsim profiles`: devices, link, topology, per-message latency and the link's source.</summary>
    public static IReadOnlyList<TableColumn<HardwareProfile>> NodeColumns() =>
    [
        new("node", "node id = file name in nodes/", p => p.Id, AlignRight: false),
        new("devices", "devices in the node", p => p.NodeDevices is int n ? Formats.Int(n) : "-"),
        new("device", "device profile", p => p.NodeDevice ?? "-", AlignRight: false),
        new("link", "interconnect between the devices", p => p.Interconnect?.Kind ?? "-", AlignRight: false),
        new("link_gb_per_s", "aggregate bidirectional bandwidth per device, 1e9 bytes/s", p => p.Interconnect?.BandwidthBytesPerSec is double b ? Formats.Sig(b / 1e9) : "-"),
        new("topology", "switch, ring, torus, mesh or pcie", p => Domain.Parallelism.Link.From(p.Interconnect) is { } l ? Domain.Parallelism.Topologies.Name(l.Topology) : "-", AlignRight: false),
        new("latency_us", "per-message latency (alpha) per ring step", p => Domain.Parallelism.Link.From(p.Interconnect) is { } l ? (l.LatencyIsDefault ? "default" : Formats.Sig(l.LatencySec * 1e6)) : "-"),
        new("source", "the link's source", p => p.Interconnect?.Source ?? "-", AlignRight: false),
    ];

    public static Command Models(CliContext ctx)
    {
        var command = new Command("models", "List model configs: layers, hidden size, heads, KV heads, head dim, attention kind, parameters.");
        command.SetAction(_ =>
        {
            var models = ModelConfigLoader.LoadAll();
            var columns = new List<TableColumn<ModelConfig>>
            {
                new("id", "model id = file name", m => m.Id, AlignRight: false),
                new("layers", "", m => Formats.Int(m.Layers)),
                new("d", "hidden size", m => Formats.Int(m.HiddenSize)),
                new("heads", "", m => Formats.Int(m.Heads)),
                new("kv_heads", "", m => Formats.Int(m.KvHeads)),
                new("head_dim", "MLA: qk_nope + qk_rope head dim", m => Formats.Int(m.Mla?.QkHeadDim ?? m.HeadDim)),
                new("d_kv", "kv_heads x head_dim; MLA: the cached latent + RoPE key, kv_lora_rank + qk_rope_head_dim", m => Formats.Int(m.Mla?.LatentWidth ?? m.KvDim)),
                new("attention", "", m => m.AttentionKind, AlignRight: false),
                new("ffn", "intermediate size", m => Formats.Int(m.IntermediateSize)),
                new("params_b", "parameters, 1e9", m => Formats.Fixed(m.TotalParams / 1e9, 2)),
            };
            ctx.Out.Write(TextTable.Build(columns, models).ToConsole());
            ctx.Out.WriteLine($"{models.Count} models in {ModelConfigLoader.DefaultDirectory}");
            return CliApp.ExitOk;
        });
        return command;
    }

    public static Command Schemes(CliContext ctx)
    {
        var command = new Command("schemes", "List cache scheme families and their compact syntax.");
        command.SetAction(_ =>
        {
            var columns = new List<TableColumn<SchemeFactory>>
            {
                new("family", "", f => f.Name, AlignRight: false),
                new("what", "", f => f.Help, AlignRight: false),
                new("syntax", "", f => f.Usage, AlignRight: false),
            };
            ctx.Out.Write(TextTable.Build(columns, SchemeRegistry.Factories).ToConsole());
            ctx.Out.WriteLine("Bits: 2, 3, 4, 8. g = group size; first=N@B keeps the first N layers at B bits; remat: fused (K/V tiles stay on chip), unfused (K/V round-trip DRAM), vabsorb (only K rematerialized; output = (p X^) Wv).");
            return CliApp.ExitOk;
        });
        return command;
    }
}
