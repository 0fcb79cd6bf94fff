using System.ComponentModel;

namespace OpsAssistant.Infrastructure.Llm;

/// <summary>One hypothesis as the model states it; the service fills service/operation from the cited spans.</summary>
public sealed record LlmHypothesis
{
    public int Rank { get; init; }

    public string Title { get; init; } = "";

    [Description("cold-start|error|latency|n-plus-one|retry|contention|resource|dependency|unknown")]
    public string Category { get; init; } = "";

    [Description("Probability 0..1 that this is the root cause.")]
    public double Confidence { get; init; }

    [Description("Span IDs from the data; the first is the primary suspect.")]
    public List<string> SpanIds { get; init; } = [];

    public List<string> Evidence { get; init; } = [];

    public string Remediation { get; init; } = "";
}
