namespace OpsAssistant.Server.Hosting;

/// <summary>
/// A start the configuration makes impossible, found only while starting (a configured port another process holds): its
/// message names the key to change, and <c>RunOpsAssistantAsync</c> reports it like a refused configuration (one stderr
/// line, exit code 2) instead of an unhandled exception's stack trace.
/// </summary>
internal sealed class StartupRefusedException : Exception
{
    public StartupRefusedException()
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
