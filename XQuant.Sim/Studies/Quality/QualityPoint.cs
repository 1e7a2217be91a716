namespace XQuant.Sim.Studies.Quality;

/// <summary>Where a quality number came from. Every quality figure carries one.</summary>
public enum QualitySource
{
    /// <summary>Printed in the XQuant paper (data/paper-perplexity.csv).</summary>
    Paper,

    /// <summary>Measured by xqsim on a synthetic random-weight model.</summary>
    MeasuredSynthetic,

    /// <summary>Measured by xqsim on a real checkpoint.</summary>
    MeasuredCheckpoint,
}

/// <summary>One perplexity figure for a model, dataset, method and bit width.</summary>
/// <param name="Table">The paper's table: 1 = uniform bits; 4 = first 3 layers at 4 bits (for kivi, kvquant, xquant, xquant-cl).</param>
/// <param name="Scheme">The exact cost-model scheme a measured row ran (xqsim accuracy writes it); null: derived from the method.</param>
public sealed record QualityPoint(int Table, string Model, string Dataset, string Method, int Bits, double Perplexity, QualitySource Source, string? Scheme = null);
