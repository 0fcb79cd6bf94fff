namespace OpsAssistant.Infrastructure.Llm;

/// <summary>Replay found no recorded exchange for a request: the prompt or model settings differ from the recorded run.</summary>
public sealed class LlmReplayMissException : Exception
{
    public LlmReplayMissException()
    {
    }

    public LlmReplayMissException(string message) : base(message)
    {
    }

    public LlmReplayMissException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
