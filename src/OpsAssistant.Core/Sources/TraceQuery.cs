namespace OpsAssistant.Core.Sources;

/// <summary>Search criteria over stored traces; every field is optional.</summary>
public sealed record TraceQuery
{
    public string? Service { get; init; }

    public string? Operation { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    /// <summary>true: only traces with an errored span; false: only traces without; null: both.</summary>
    public bool? HasError { get; init; }

    public int Limit { get; init; } = 20;
}
