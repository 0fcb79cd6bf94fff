namespace OpsAssistant.Core.Engine;

/// <summary>DI keys that tell the engines apart where both are needed (the chat's tools use the heuristic engine directly).</summary>
public static class EngineKeys
{
    /// <summary>The heuristic engine, keyed by its engine name.</summary>
    public const string Heuristic = Results.Engines.Heuristic;
}
