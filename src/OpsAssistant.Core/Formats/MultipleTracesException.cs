namespace OpsAssistant.Core.Formats;

/// <summary>
/// A single trace was asked for but the input holds several and no trace ID chose one.
/// Derives from <see cref="TraceFormatException"/> because, to a caller, it is bad input (CLI exit code 2).
/// </summary>
public sealed class MultipleTracesException : TraceFormatException
{
    public MultipleTracesException()
        : this([])
    {
    }

    public MultipleTracesException(string message)
        : base(message)
    {
        TraceIds = [];
    }

    public MultipleTracesException(string message, Exception innerException)
        : base(message, innerException)
    {
        TraceIds = [];
    }

    public MultipleTracesException(IReadOnlyList<string> traceIds)
        : base(BuildMessage(traceIds))
    {
        TraceIds = traceIds;
    }

    /// <summary>The IDs of every trace found, in the order they first appeared.</summary>
    public IReadOnlyList<string> TraceIds { get; }

    private static string BuildMessage(IReadOnlyList<string> traceIds) =>
        $"The input holds {traceIds.Count} traces; choose one with a trace ID: {string.Join(", ", traceIds)}";
}
