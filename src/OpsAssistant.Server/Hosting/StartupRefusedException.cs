namespace OpsAssistant.Server.Hosting;

/// <summary>The configuration asks for something the service will not do (listen beyond loopback unauthenticated, say): the start stops with this message.</summary>
public sealed class StartupRefusedException : InvalidOperationException
{
    public StartupRefusedException()
        : base("The service refused to start.")
    {
    }

    public StartupRefusedException(string message)
        : base(message)
    {
    }

    public StartupRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
