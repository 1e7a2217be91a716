using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Studies.Measurement;

namespace XQuant.Sim.Studies.Published;

/// <summary>One row's in-sample and leave-one-out predictions and the entry that made them.</summary>
public sealed record FitRowResult(FitPoint Point, string Entry, double InSamplePredicted, double LooPredicted, string LooEntry)
{
    public double InSampleErrorPct => (InSamplePredicted / Point.Measured - 1) * 100;

    public double LooErrorPct => (LooPredicted / Point.Measured - 1) * 100;
}

/// <summary>The fitted set and, per row, the in-sample and leave-one-out predictions; error statistics in percent.</summary>
public sealed record FitResult(EngineEfficiencySet Set, IReadOnlyList<FitRowResult> Rows)
{
    public ErrorStats InSample => ErrorStats.FromSigned(Rows.Select(r => r.InSampleErrorPct).ToList());

    public ErrorStats LeaveOneOut => ErrorStats.FromSigned(Rows.Select(r => r.LooErrorPct).ToList());

    public ErrorStats InSampleOf(string entry) => ErrorStats.FromSigned(Rows.Where(r => r.Entry == entry).Select(r => r.InSampleErrorPct).ToList());

    public ErrorStats LooOf(string engine) => ErrorStats.FromSigned(Rows.Where(r => string.Equals(r.Point.Engine, engine, StringComparison.OrdinalIgnoreCase)).Select(r => r.LooErrorPct).ToList());
}
