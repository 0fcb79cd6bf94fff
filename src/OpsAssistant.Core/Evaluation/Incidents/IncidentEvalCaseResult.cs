namespace OpsAssistant.Core.Evaluation.Incidents;

/// <summary>One incident case's line in the report's <c>incidents</c> section.</summary>
public sealed record IncidentEvalCaseResult
{
    public required string Case { get; init; }

    /// <summary>The expected change as <c>dimension=value</c>; null for a case where nothing changed.</summary>
    public string? Expected { get; init; }

    /// <summary>1-based position of the first reported change that is (or aliases) the expected one; null when none is.</summary>
    public int? Rank { get; init; }

    /// <summary>The top reported change as <c>dimension=value</c>; null when none was reported.</summary>
    public string? Top { get; init; }

    public int Changes { get; init; }

    /// <summary>A case where nothing changed that still reported a change.</summary>
    public bool FalseAlarm { get; init; }

    public double ElapsedMs { get; init; }

    public string? Error { get; init; }
}
