using System.Text.Json.Serialization;

namespace OpsAssistant.Core.Results;

/// <summary>One ranked root-cause hypothesis. <see cref="Service"/>/<see cref="Operation"/> name the primary suspect span.</summary>
public sealed record Hypothesis
{
    public int Rank { get; init; }

    public required string Title { get; init; }

    /// <summary>One of <see cref="Categories"/>.</summary>
    public required string Category { get; init; }

    public double Confidence { get; init; }

    public string? Service { get; init; }

    public string? Operation { get; init; }

    public IReadOnlyList<string> SpanIds { get; init; } = [];

    public IReadOnlyList<string> Evidence { get; init; } = [];

    public string Remediation { get; init; } = "";

    /// <summary>How the suspect span compares with its operation's baseline; null without baselines.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public HypothesisBaseline? Baseline { get; init; }
}
