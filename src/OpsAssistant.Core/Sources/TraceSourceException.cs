namespace OpsAssistant.Core.Sources;

/// <summary>
/// A trace source failed in a way the caller should see (backend down, answered HTML or garbage, unreadable file),
/// as opposed to "trace not found", which is a null result.
/// </summary>
public sealed class TraceSourceException : Exception
{
    public TraceSourceException()
    {
    }

    public TraceSourceException(string message)
        : base(message)
    {
    }

    public TraceSourceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TraceSourceException(string sourceName, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        SourceName = sourceName;
    }

    /// <summary>The failing source's <see cref="ITraceSource.Name"/>, when known.</summary>
    public string? SourceName { get; }
}
