namespace XQuant.Sim.Studies.WhatIf;

/// <summary>The grid of <see cref="WhatIfCell"/>s, and which schemes are the XQuant and KIVI* ones compared.</summary>
public sealed record WhatIfResult(WhatIfRequest Request, IReadOnlyList<WhatIfCell> Cells, int XQuantIndex, int KiviIndex);
