namespace XQuant.Sim.Rendering.Export;

/// <summary>A costed case's CSV text, formatted ahead of the writer: its cases.csv line and its ops.csv lines (empty without ops).</summary>
public sealed record RenderedCase(string Case, string Ops);
