namespace OpsAssistant.Server.Webhooks;

/// <summary>A webhook body that is not JSON, or not the Alertmanager/Grafana notification shape; the message names what is wrong.</summary>
internal sealed class AlertPayloadException : Exception
{
    public AlertPayloadException()
        : base("The alert payload is malformed.")
    {
    }

    public AlertPayloadException(string message)
        : base(message)
    {
    }

    public AlertPayloadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
