namespace OpsAssistant.Core.Results;

/// <summary>The hypothesis categories of the result contract.</summary>
public static class Categories
{
    public const string ColdStart = "cold-start";
    public const string Error = "error";
    public const string Latency = "latency";
    public const string NPlusOne = "n-plus-one";
    public const string Retry = "retry";
    public const string Contention = "contention";
    public const string Resource = "resource";
    public const string Dependency = "dependency";
    public const string Unknown = "unknown";

    public static IReadOnlyList<string> All { get; } =
        [ColdStart, Error, Latency, NPlusOne, Retry, Contention, Resource, Dependency, Unknown];

    public static bool IsKnown(string? category) => category is not null && All.Contains(category, StringComparer.Ordinal);
}
