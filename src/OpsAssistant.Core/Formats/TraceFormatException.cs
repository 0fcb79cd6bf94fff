namespace OpsAssistant.Core.Formats;

/// <summary>The input is not a trace this reader can use; the message names what is wrong and, where known, where.</summary>
public sealed class TraceFormatException : Exception
{
    public TraceFormatException(string message) : base(message)
    {
    }

    public TraceFormatException(string message, Exception inner) : base(message, inner)
    {
    }

    public TraceFormatException()
    {
    }
}
