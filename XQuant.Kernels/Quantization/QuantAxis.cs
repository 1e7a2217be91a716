namespace XQuant.Kernels.Quantization;

/// <summary>How the G elements that share one scale and zero-point run through a tokens x width matrix.</summary>
public enum QuantAxis
{
    /// <summary>Groups run along channels within one token (KIVI values, XQuant's X); the last group of a row may be short.</summary>
    PerToken,

    /// <summary>Groups run along tokens within one channel (KIVI keys, the GQA key latent); the last token group may be short.</summary>
    PerChannel,
}
