namespace OpsAssistant.Core.Results;

public static class Engines
{
    public const string Heuristic = "heuristic";
    public const string Llm = "llm";
}
