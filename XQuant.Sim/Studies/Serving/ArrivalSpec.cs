using XQuant.Sim.Foundation.Text;

namespace XQuant.Sim.Studies.Serving;

public enum ArrivalKind
{
    /// <summary>Poisson arrivals at a rate (exponential gaps), as benchmark clients with a request rate send them.</summary>
    Poisson,

    /// <summary>A closed loop of N clients: each sends its next request when its last one finishes.</summary>
    ClosedLoop,

    /// <summary>Every request at t = 0 (offline throughput).</summary>
    Offline,

    /// <summary>Arrival times and lengths from a trace file.</summary>
    Trace,
}

/// <summary>
/// Where requests come from: the arrival process, the length distributions, how many, and the seed. A trace brings
/// its own arrivals and lengths.
/// </summary>
public sealed record ArrivalSpec(
    ArrivalKind Kind,
    int Requests,
    LengthSpec Input,
    LengthSpec Output,
    ulong Seed,
    double RatePerSec = 0,
    int Concurrency = 0,
    IReadOnlyList<ServingRequest>? Trace = null)
{
    public ArrivalSpec WithRate(double rate) => this with { Kind = ArrivalKind.Poisson, RatePerSec = rate };

    public string Describe() => Kind switch
    {
        ArrivalKind.Poisson => $"Poisson at {Formats.Sig(RatePerSec)} req/s",
        ArrivalKind.ClosedLoop => $"closed loop of {Concurrency} clients",
        ArrivalKind.Offline => "offline (all requests at t = 0)",
        _ => "trace",
    };

    /// <summary>
    /// The requests in id order. Lengths come from one seeded generator, arrival gaps from another, so a rate
    /// change rescales the same arrival pattern (what the max-rate bisection needs) and lengths never change with
    /// the rate. Closed-loop requests after the first N get their arrival time from the simulator.
    /// </summary>
    public IReadOnlyList<ServingRequest> Build()
    {
        if (Kind == ArrivalKind.Trace)
        {
            return Trace ?? [];
        }
        var lengths = new Random(unchecked((int)(Seed ^ (Seed >> 32))));
        var gaps = new Random(unchecked((int)((Seed * 0x9E3779B97F4A7C15UL) >> 32)));
        var list = new ServingRequest[Requests];
        double t = 0;
        for (int i = 0; i < Requests; i++)
        {
            int input = Input.Draw(lengths);
            int output = Output.Draw(lengths);
            double arrival = 0;
            if (Kind == ArrivalKind.Poisson)
            {
                t += -Math.Log(1 - gaps.NextDouble()) / RatePerSec;
                arrival = t;
            }
            list[i] = new ServingRequest(i, arrival, input, output);
        }
        return list;
    }
}
