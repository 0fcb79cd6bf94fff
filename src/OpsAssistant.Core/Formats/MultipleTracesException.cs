namespace OpsAssistant.Core.Formats;

/// <summary>The input holds several traces and no trace ID said which one to use.</summary>
public sealed class MultipleTracesException : Exception
{
    public MultipleTracesException(IReadOnlyList<string> traceIds)
        : base(Describe(traceIds)) =>
        TraceIds = traceIds;

    public MultipleTracesException() => TraceIds = [];

    public MultipleTracesException(string message) : base(message) => TraceIds = [];

    public MultipleTracesException(string message, Exception inner) : base(message, inner) => TraceIds = [];

    public IReadOnlyList<string> TraceIds { get; }

    private static string Describe(IReadOnlyList<string> traceIds)
    {
        ArgumentNullException.ThrowIfNull(traceIds);
        return $"The input holds {traceIds.Count} traces; choose one with --trace-id: {string.Join(", ", traceIds.Take(20))}{(traceIds.Count > 20 ? ", ..." : "")}";
    }
}
