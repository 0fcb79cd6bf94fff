namespace OpsAssistant.Core.Formats;

/// <summary>The input is not a trace in any supported format, or is malformed or truncated.</summary>
public class TraceFormatException : Exception
{
    public TraceFormatException()
    {
    }

    public TraceFormatException(string message)
        : base(message)
    {
    }

    public TraceFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
