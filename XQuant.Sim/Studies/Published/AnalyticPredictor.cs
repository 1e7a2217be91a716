using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Studies.Published;

/// <summary>
/// Steady-state analytic predictions on the roofline ledger, one per mode (the approximation is stated in
/// docs/published-validation.md):
/// <list type="bullet">
/// <item>fixed-batch: one prefill step of the batch, then one decode step per output token at its own context, summed;
/// the first output token comes from the prefill.</item>
/// <item>max-throughput (and serving with stated lengths): as many sequences running as fit the cache at the mean
/// context (input + output / 2), capped by a stated batch; each iteration decodes them all and prefills the prompts of
/// the sequences that replace the finished ones (running / output of them), in one mixed step with weights read once.</item>
/// <item>concurrency: N sequences in a closed loop at the mean context (at most as many as fit; the rest queue); TTFT is a
/// lone prefill, ITL a decode iteration (mixed with the others' prefill share when more than one runs).</item>
/// </list>
/// Every step adds the engine's fixed time per step and per layer. Per-device metrics divide by the device count.
/// A multi-device row is costed on one replica (the rank's ledger, its collectives on the link, its capacity); its
/// replicas share the batch or the users evenly, and throughput adds over them.
/// </summary>
public sealed class AnalyticPredictor : IPublishedPredictor
{
    public string Name => "analytic steady state";

    public Preparation Prepare(PublishedCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var row = c.Row;
        return row.Mode switch
        {
            PublishedMode.FixedBatch => FixedBatch(c),
            PublishedMode.MaxThroughput => SteadyState(c, row.Batch),
            PublishedMode.Serving => row.InputTokens is null || row.OutputTokens is null
                ? Preparation.Unsupported("serving row without input and output lengths (dataset length distributions are not modeled)")
                : SteadyState(c, row.Batch ?? row.Concurrency),
            PublishedMode.Concurrency => Concurrency(c),
            _ => Preparation.Unsupported($"mode {row.Mode.Name()}"),
        };
    }

    private static Workload Base(PublishedCase c, double batch, double context, Phase phase) =>
        new(c.Model, c.Hardware, c.Scheme, c.Weights, batch, context, phase, Parallel: c.Parallel);

    private static Preparation FixedBatch(PublishedCase c)
    {
        var row = c.Row;
        if (row.Batch is not long total)
        {
            return Preparation.Unsupported("fixed-batch row without a batch");
        }
        double batch = (double)total / c.Replicas;
        if (row.InputTokens is not long input || row.OutputTokens is not long output)
        {
            return Preparation.Unsupported("fixed-batch row without input and output lengths");
        }
        int layers = c.Model.Layers;
        StepWork? prefill = input > 0 ? StepWork.From(Base(c, batch, input, Phase.Prefill), c.WeightBytesScale) : null;
        // With a prompt, the prefill yields the first token and decode steps see contexts input .. input + output - 2;
        // with no prompt every token is a decode step, from context 0.
        long decodeSteps = input > 0 ? output - 1 : output;
        var decode = new DecodeSeries(Base(c, batch, input, Phase.Decode), input, decodeSteps, c.WeightBytesScale);
        double Prefill(EngineEfficiency e) => prefill is null ? 0 : prefill.TimeSec(e) + e.OverheadSec(layers);
        double Decode(EngineEfficiency e) => decode.TimeSec(e) + decodeSteps * e.OverheadSec(layers);
        double devices = row.Devices;
        Func<EngineEfficiency, double>? f = row.Metric switch
        {
            PublishedMetric.OutputTokPerSec => e => total * output / (Prefill(e) + Decode(e)),
            PublishedMetric.OutputTokPerSecPerDevice => e => total * output / (Prefill(e) + Decode(e)) / devices,
            PublishedMetric.E2eSec => e => Prefill(e) + Decode(e),
            PublishedMetric.TtftMs when prefill is not null => e => 1000 * Prefill(e),
            PublishedMetric.DecodeTokPerSecPerUser when decodeSteps > 0 => e => decodeSteps / Decode(e),
            PublishedMetric.TpotMs or PublishedMetric.ItlMs when decodeSteps > 0 => e => 1000 * Decode(e) / decodeSteps,
            _ => null,
        };
        return Done(f, row);
    }

    private static Preparation SteadyState(PublishedCase c, long? cap)
    {
        var row = c.Row;
        if (row.InputTokens is not long input || row.OutputTokens is not long output)
        {
            return Preparation.Unsupported($"{row.Mode.Name()} row without input and output lengths (dataset length distributions are not modeled)");
        }
        double mean = input + output / 2.0;
        var probe = Base(c, 1, mean, Phase.Decode);
        double fit = Capacity.Plan(probe, LayoutCache.Get(c.Scheme, c.Model)).MaxBatchAtContext;
        double running = cap is long b ? Math.Min(fit, b) : fit;
        if (running < 1)
        {
            return Preparation.Unsupported("not one sequence fits in device memory at the mean context");
        }
        var decode = StepWork.From(Base(c, running, mean, Phase.Decode), c.WeightBytesScale);
        var step = input > 0 ? StepWork.Mixed(decode, StepWork.From(Base(c, running / output, input, Phase.Prefill), c.WeightBytesScale)) : decode;
        int layers = c.Model.Layers;
        double Iteration(EngineEfficiency e) => step.TimeSec(e) + e.OverheadSec(layers);
        double devices = row.Devices, replicas = c.Replicas;
        Func<EngineEfficiency, double>? f = row.Metric switch
        {
            PublishedMetric.OutputTokPerSec => e => replicas * running / Iteration(e),
            PublishedMetric.OutputTokPerSecPerDevice => e => replicas * running / Iteration(e) / devices,
            PublishedMetric.DecodeTokPerSecPerUser => e => 1 / Iteration(e),
            PublishedMetric.TpotMs or PublishedMetric.ItlMs => e => 1000 * Iteration(e),
            _ => null,
        };
        return Done(f, row);
    }

    private static Preparation Concurrency(PublishedCase c)
    {
        var row = c.Row;
        if ((row.Concurrency ?? row.Batch) is not long users)
        {
            return Preparation.Unsupported("concurrency row without a concurrency");
        }
        double n = (double)users / c.Replicas;
        if (row.InputTokens is not long input || row.OutputTokens is not long output)
        {
            return Preparation.Unsupported("concurrency row without input and output lengths");
        }
        double mean = input + output / 2.0;
        // Users beyond what fits at the mean context wait in the queue: they do not run, so they neither add work nor output.
        double fit = Capacity.Plan(Base(c, 1, mean, Phase.Decode), LayoutCache.Get(c.Scheme, c.Model)).MaxBatchAtContext;
        if (fit < 1)
        {
            return Preparation.Unsupported("not one sequence fits in device memory at the mean context");
        }
        double running = Math.Min(n, fit);
        var decode = StepWork.From(Base(c, running, mean, Phase.Decode), c.WeightBytesScale);
        var step = running > 1 && input > 0 ? StepWork.Mixed(decode, StepWork.From(Base(c, running / output, input, Phase.Prefill), c.WeightBytesScale)) : decode;
        StepWork? prefill = input > 0 ? StepWork.From(Base(c, 1, input, Phase.Prefill), c.WeightBytesScale) : null;
        int layers = c.Model.Layers;
        double Itl(EngineEfficiency e) => step.TimeSec(e) + e.OverheadSec(layers);
        double Ttft(EngineEfficiency e) => prefill is null ? Itl(e) : prefill.TimeSec(e) + e.OverheadSec(layers);
        double E2e(EngineEfficiency e) => Ttft(e) + (output - 1) * Itl(e);
        double devices = row.Devices, replicas = c.Replicas;
        Func<EngineEfficiency, double>? f = row.Metric switch
        {
            PublishedMetric.OutputTokPerSec => e => replicas * running * output / E2e(e),
            PublishedMetric.OutputTokPerSecPerDevice => e => replicas * running * output / E2e(e) / devices,
            PublishedMetric.DecodeTokPerSecPerUser => e => 1 / Itl(e),
            PublishedMetric.TpotMs or PublishedMetric.ItlMs => e => 1000 * Itl(e),
            PublishedMetric.TtftMs => e => 1000 * Ttft(e),
            PublishedMetric.E2eSec => E2e,
            _ => null,
        };
        return Done(f, row);
    }

    private static Preparation Done(Func<EngineEfficiency, double>? f, PublishedRow row) =>
        f is null
            ? Preparation.Unsupported($"metric {row.Metric.Name()} in mode {row.Mode.Name()}")
            : new Preparation(new FunctionPrediction(f), Resolution.Scored);
}
