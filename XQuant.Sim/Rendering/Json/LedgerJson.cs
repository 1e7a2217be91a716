using System.Text.Json.Nodes;
using XQuant.Sim.Domain.Planning;

namespace XQuant.Sim.Rendering.Json;

/// <summary>xqsim ledger --json: the case with every op, the roofs it met, and the engine's fixed time when derated.</summary>
public static class LedgerJson
{
    /// <param name="engineFixedSec">the engine's fixed time per step (null for datasheet roofs, which have none)</param>
    public static JsonObject Document(CaseResult result, double? engineFixedSec = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var doc = JsonDoc.Start("ledger");
        doc["hardware"] = HardwareJson.Roofs(result.Workload.Hardware);
        doc["case"] = CaseJson.Case(result, withOps: true);
        doc["engine_fixed_sec"] = engineFixedSec is double f ? JsonDoc.Num(f) : null;
        return doc;
    }
}
