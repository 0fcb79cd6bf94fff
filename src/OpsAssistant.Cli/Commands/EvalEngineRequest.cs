namespace OpsAssistant.Cli.Commands;

/// <summary>How the eval wants its engine: heuristic only, live LLM recording each exchange, or LLM answers replayed from disk.</summary>
internal sealed record EvalEngineRequest(bool NoLlm, string? RecordDirectory, string? ReplayDirectory);
