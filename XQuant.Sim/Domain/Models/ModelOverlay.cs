namespace XQuant.Sim.Domain.Models;

/// <summary>
/// Model configs held in memory for the current call chain only (the explorer's uploaded config.json files): while
/// one is in use, <see cref="ModelConfigLoader.Resolve"/> answers its id before looking at files. Scoped with an
/// AsyncLocal, so it flows into the tasks of that call and nowhere else; the command line never sets one.
/// </summary>
public static class ModelOverlay
{
    private static readonly AsyncLocal<IReadOnlyDictionary<string, ModelConfig>?> Current = new();

    /// <summary>Makes <paramref name="models"/> resolvable by id until the returned scope is disposed.</summary>
    public static IDisposable Use(IReadOnlyDictionary<string, ModelConfig> models)
    {
        var previous = Current.Value;
        Current.Value = models;
        return new Scope(previous);
    }

    public static ModelConfig? Find(string id) => Current.Value is { } models && models.TryGetValue(id, out var m) ? m : null;

    private sealed class Scope(IReadOnlyDictionary<string, ModelConfig>? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}
