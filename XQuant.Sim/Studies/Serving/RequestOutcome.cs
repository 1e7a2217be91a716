namespace XQuant.Sim.Studies.Serving;

/// <summary>
/// What happened to one request. Times are seconds on the simulation clock; -1 where it never happened (a
/// skipped request). Latencies follow AIPerf's definitions (see docs/serving.md).
/// </summary>
public sealed record RequestOutcome(ServingRequest Request, bool Skipped, double FirstTokenSec, double FinishSec, int Preemptions)
{
    public bool Completed => !Skipped && FinishSec >= 0;

    /// <summary>Time to first token: arrival to the end of the iteration that sampled the first output token, queueing included.</summary>
    public double TtftSec => Completed ? FirstTokenSec - Request.ArrivalSec : double.NaN;

    /// <summary>End-to-end latency: arrival to the last output token.</summary>
    public double E2eSec => Completed ? FinishSec - Request.ArrivalSec : double.NaN;

    /// <summary>Time per output token after the first: (E2E - TTFT) / (output tokens - 1); AIPerf's inter_token_latency. NaN for one-token outputs.</summary>
    public double TpotSec => Completed && Request.OutputTokens > 1 ? (FinishSec - FirstTokenSec) / (Request.OutputTokens - 1) : double.NaN;
}
