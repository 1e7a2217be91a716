using System.Text.Json.Nodes;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Studies.Quality;

namespace XQuant.Sim.Rendering.Json;

/// <summary>xqsim pareto --json: memory x time x error per scheme, each perplexity tagged with its source.</summary>
public static class ParetoJson
{
    public static JsonObject Document(ParetoStudy s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var doc = JsonDoc.Start("pareto");
        doc["model"] = s.Model.Id;
        doc["hardware"] = s.Hardware.Id;
        doc["provenance"] = s.Hardware.Provenance.Name();
        doc["dataset"] = s.Dataset;
        doc["batch"] = JsonDoc.Num(s.Batch);
        doc["context_tokens"] = JsonDoc.Num(s.ContextTokens);
        doc["points"] = new JsonArray([.. s.Points.Select((p, i) => (JsonNode?)new JsonObject
        {
            ["label"] = p.Label,
            ["scheme"] = p.Cost.Workload.Scheme.Spec,
            ["normalized_size"] = JsonDoc.Num(p.NormalizedSize),
            ["cache_bytes"] = JsonDoc.Num(p.Cost.Cache.TotalBytes),
            ["time_per_token_sec"] = JsonDoc.Num(p.TimePerTokenSec),
            ["perplexity"] = JsonDoc.Num(p.Quality.Perplexity),
            ["fp16_perplexity"] = JsonDoc.Num(p.Fp16Perplexity),
            ["perplexity_delta"] = JsonDoc.Num(p.PerplexityDelta),
            ["quality_source"] = p.Quality.Source.ToString().ToLowerInvariant(),
            ["pareto_front"] = s.Front[i],
        })]);
        return doc;
    }
}
