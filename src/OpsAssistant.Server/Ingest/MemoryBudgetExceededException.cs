namespace OpsAssistant.Server.Ingest;

/// <summary>Request bodies held across the service already fill <c>OpsAssistant:Ingest:MaxBufferedBytes</c>.</summary>
internal sealed class MemoryBudgetExceededException : Exception
{
    public MemoryBudgetExceededException()
        : base("The request-body memory budget is spent.")
    {
    }

    public MemoryBudgetExceededException(string message)
        : base(message)
    {
    }

    public MemoryBudgetExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
