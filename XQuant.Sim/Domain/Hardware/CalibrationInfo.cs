namespace XQuant.Sim.Domain.Hardware;

/// <summary>One microbenchmark result of a calibration run: median value, spread and what was measured.</summary>
/// <param name="Spread">(P90 - P10) / median over the repetitions.</param>
public sealed record CalibrationMeasurement(string Name, double Value, string Unit, double Spread, int Repetitions, string Size);

/// <summary>Provenance of a calibrated profile: who measured what, where, when and how.</summary>
public sealed record CalibrationInfo(
    string Date,
    string Method,
    string Device,
    string Runtime,
    string Host,
    string LoadAverage,
    IReadOnlyList<CalibrationMeasurement> Measurements);
