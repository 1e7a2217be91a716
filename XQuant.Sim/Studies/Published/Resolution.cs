namespace XQuant.Sim.Studies.Published;

/// <summary>A row either resolves to a case or says, in its status, what xqsim cannot model yet.</summary>
public sealed record Resolution(PublishedCase? Case, string Status)
{
    public const string Scored = "scored";
}
