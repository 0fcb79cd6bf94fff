namespace OpsAssistant.Core.Formats;

/// <summary>
/// The input is not a trace this reader can use: not JSON, truncated, an unknown shape, wrong-typed fields,
/// or over a configured limit. The message names the format, what is wrong and where (JSON path or byte offset),
/// so an operator can fix the input without reading the reader's code.
/// </summary>
public class TraceFormatException : Exception
{
    public TraceFormatException()
    {
    }

    public TraceFormatException(string message)
        : base(message)
    {
    }

    public TraceFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Byte offset into the input where the problem was found, when known.</summary>
    public long? ByteOffset { get; init; }

    /// <summary>JSON path of the offending value (e.g. <c>$.resourceSpans[0].scopeSpans[1].spans[3].kind</c>), when known.</summary>
    public string? JsonPath { get; init; }
}
