namespace XQuant.Sim.Rendering.Export;

/// <summary>A costed case's CSV cells, formatted ahead of the writer: its cases.csv row and its ops.csv rows (empty without ops).</summary>
public sealed record RenderedCase(string[] Case, string[][] Ops);
