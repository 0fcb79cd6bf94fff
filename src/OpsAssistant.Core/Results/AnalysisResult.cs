using System.Text.Json.Serialization;

namespace OpsAssistant.Core.Results;

/// <summary>The analysis result contract (docs/result.md): what the API, <c>analyze --json</c> and the eval consume.</summary>
public sealed record AnalysisResult
{
    public string AnalysisId { get; init; } = Guid.NewGuid().ToString("n");

    public required string TraceId { get; init; }

    /// <summary><c>heuristic</c> or <c>llm</c>.</summary>
    public string Engine { get; init; } = Engines.Heuristic;

    public string? Model { get; init; }

    /// <summary>Why the LLM answer was not used (no LLM configured, timeout, 429, invalid output); null when it was.</summary>
    public string? Degraded { get; init; }

    public string Summary { get; init; } = "";

    public IReadOnlyList<Hypothesis> Hypotheses { get; init; } = [];

    public TokenUsage Usage { get; init; } = new();

    public double ElapsedMs { get; init; }

    /// <summary>Repairs made to the trace before analysis (orphans re-attached, cycles broken, clock skew corrected...).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Warnings { get; init; }

    /// <summary>Span IDs on the critical path, in time order (for the waterfall; not part of the ranking contract).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? CriticalPath { get; init; }

    /// <summary>Size of the prompt sent (or that would be sent) to an LLM, in o200k tokens.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int PromptTokens { get; init; }
}
