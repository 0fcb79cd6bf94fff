namespace OpsAssistant.Server.Ingest;

/// <summary>An ingest body, on the wire or decompressed, went past its configured limit.</summary>
internal sealed class PayloadTooLargeException : Exception
{
    public PayloadTooLargeException()
        : base("The request body is too large.")
    {
    }

    public PayloadTooLargeException(string message)
        : base(message)
    {
    }

    public PayloadTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
