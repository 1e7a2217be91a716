namespace XQuant.Sim.Domain.Hardware;

/// <summary>
/// The entries of an engine-efficiency file. Lookup: the engine on this vendor, then the engine on any vendor, then
/// the pooled <see cref="EngineEfficiency.DefaultEngine"/> entry: an engine no published row covered still gets the
/// pooled physics, never the datasheet by accident.
/// </summary>
public sealed record EngineEfficiencySet(IReadOnlyList<EngineEfficiency> Entries, string Method, string FittedOn, string SourcePath = "")
{
    public EngineEfficiency? Find(string engine, string? vendor)
    {
        return Entries.FirstOrDefault(e => Same(e.Engine, engine) && e.Vendor is not null && Same(e.Vendor, vendor))
            ?? Entries.FirstOrDefault(e => Same(e.Engine, engine) && e.Vendor is null)
            ?? Entries.FirstOrDefault(e => Same(e.Engine, EngineEfficiency.DefaultEngine) && e.Vendor is null);
    }

    /// <summary>Like <see cref="Find"/> but never null: the datasheet identity when even the default is missing.</summary>
    public EngineEfficiency For(string engine, string? vendor) => Find(engine, vendor) ?? EngineEfficiency.Datasheet;

    public IReadOnlyList<string> EngineNames => Entries.Select(e => e.Engine).Distinct(StringComparer.Ordinal).ToList();

    private static bool Same(string a, string? b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
