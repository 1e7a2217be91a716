namespace XQuant.Sim.Studies.WhatIf;

/// <summary>
/// One hypothetical device: its decode step time per scheme (overlapped roofline, NaN where the case does not fit in
/// memory), the fastest fitting scheme (-1: none fits) and XQuant's step time over KIVI*'s (NaN if either is absent).
/// </summary>
public sealed record WhatIfCell(double BandwidthBytesPerSec, double PeakFlopsPerSec, double? SramBytes, IReadOnlyList<double> StepSec, int Best, double XQuantOverKivi);
